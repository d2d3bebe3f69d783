namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// The emailed link with which a user sets a new password: sent by an administrator (a reset, or
/// the invitation of a new account) or asked for by the user ("Forgot your password?"). One row
/// per user, so a new link replaces the old one; only the SHA-256 of the token is stored.
/// </summary>
public sealed class PasswordResetLink : IEmailedLink
{
    public required string UserId { get; set; }

    public required string TokenHash { get; set; }

    /// <summary>Sent with a new account (longer lifetime, invitation text) rather than as a reset.</summary>
    public bool Invitation { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}
