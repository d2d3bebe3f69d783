using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Authentication.Totp;

/// <summary>
/// Identity's authenticator token provider, replaced: <c>UserManager.VerifyTwoFactorTokenAsync</c>
/// and <c>SignInManager.TwoFactorAuthenticatorSignInAsync</c> reach <see cref="TotpAuthenticator"/>
/// and so get its window and replay protection.
/// </summary>
/// <remarks>
/// UserManager builds its token providers in its constructor, and TotpAuthenticator needs a
/// UserManager; taking the authenticator from the request's services when a token is checked
/// breaks that cycle.
/// </remarks>
public sealed class TotpTokenProvider(IServiceProvider services) : IUserTwoFactorTokenProvider<ApplicationUser>
{
    public const string ProviderName = "Totp";

    private TotpAuthenticator Authenticator => services.GetRequiredService<TotpAuthenticator>();

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<ApplicationUser> manager, ApplicationUser user) =>
        await Authenticator.IsEnabledAsync(await manager.GetUserIdAsync(user), CancellationToken.None);

    /// <summary>TOTP codes come from the user's app; the server never sends one.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<ApplicationUser> manager, ApplicationUser user) =>
        Task.FromResult(string.Empty);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<ApplicationUser> manager, ApplicationUser user) =>
        await Authenticator.VerifyAsync(await manager.GetUserIdAsync(user), token, CancellationToken.None) == TotpVerification.Valid;
}
