namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// The emailed sign-in code of one user. One row per user, so there is never more than one live
/// code: a new send overwrites the row. The code itself is not stored, only its HMAC-SHA256 under
/// a random key of this row, and that key only as protected by data protection (see
/// <c>EmailSignInCodes</c> for why).
/// </summary>
public sealed class EmailSignInCode
{
    public required string UserId { get; set; }

    /// <summary>Lower-case hex of HMAC-SHA256(key, code).</summary>
    public required string CodeHash { get; set; }

    /// <summary>The row's 32-byte HMAC key, encrypted by data protection.</summary>
    public required string ProtectedKey { get; set; }

    public DateTimeOffset SentAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }

    /// <summary>Start of the hour that <see cref="SendsInWindow"/> counts sends in.</summary>
    public DateTimeOffset WindowStartedAt { get; set; }

    public int SendsInWindow { get; set; }
}
