namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// An emailed single-use link (lost device, password reset): one row per user, so there is never
/// more than one live link, and only the SHA-256 of its token. <see cref="Account.EmailedLinks"/>
/// issues, finds and spends them.
/// </summary>
public interface IEmailedLink
{
    string UserId { get; }

    string TokenHash { get; }

    DateTimeOffset CreatedAt { get; }

    DateTimeOffset ExpiresAt { get; }

    DateTimeOffset? UsedAt { get; }
}
