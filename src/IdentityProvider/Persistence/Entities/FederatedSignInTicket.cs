namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// One upstream sign-in between the upstream callback and the end of the local sign-in: who the
/// upstream said it was, its ID token (kept server-side, never in a cookie), and, when the
/// upstream account is to be linked to an existing local account, that account. The partial
/// sign-in cookie refers to it by <see cref="Id"/>; the row is taken once, by a conditional
/// DELETE, when every step is done, so an abandoned, expired or replayed sign-in never links or
/// completes (on any node).
/// </summary>
public sealed class FederatedSignInTicket
{
    /// <summary>A random reference (it is only ever read out of the data-protected partial sign-in cookie).</summary>
    public required string Id { get; set; }

    public required string ProviderId { get; set; }

    /// <summary>The upstream <c>sub</c>.</summary>
    public required string Subject { get; set; }

    /// <summary>The local user the sign-in is for (the one to link to, when <see cref="LinkAccount"/>).</summary>
    public required string UserId { get; set; }

    /// <summary>The upstream's email, shown on the link page.</summary>
    public string? UpstreamEmail { get; set; }

    public required string IdToken { get; set; }

    /// <summary>Taking the row adds the external login (provider, subject) to <see cref="UserId"/>.</summary>
    public bool LinkAccount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
