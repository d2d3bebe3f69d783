namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// A single-use, expiring link that lets a person create the first administrator.
/// Only the SHA-256 of the token is stored; the link itself exists once, on the console.
/// </summary>
public sealed class SetupToken
{
    public Guid Id { get; set; }

    public required string TokenHash { get; set; }

    /// <summary>When set (by <c>admin create --email</c>), the account must use this address.</summary>
    public string? Email { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}
