namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// The emailed link that lets a user who lost their authenticator remove it after signing in with
/// their password. One row per user, so there is never more than one live link: a new request
/// overwrites the row (and with it the old token). Only the SHA-256 of the token is stored.
/// </summary>
public sealed class LostDeviceLink : IEmailedLink
{
    public required string UserId { get; set; }

    public required string TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}
