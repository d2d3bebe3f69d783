namespace IdentityProvider.Authentication.Sessions;

/// <summary>Browsers are never remembered: every sign-in the policy asks a second factor of asks it.</summary>
internal sealed class NoBrowserMemory : IBrowserMemory
{
    public Task<bool> IsRememberedAsync(HttpContext http, string userId, CancellationToken cancellationToken) => Task.FromResult(false);
}
