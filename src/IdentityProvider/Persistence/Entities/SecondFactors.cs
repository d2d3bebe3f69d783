namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// A user's TOTP shared secret. Created at enrolment, active once the user proved a code with it.
/// One row per user: a user has one authenticator app at a time.
/// </summary>
public sealed class UserTotpSecret
{
    public required string UserId { get; set; }

    /// <summary>The 20-byte secret, base32, protected with data protection (purpose <c>IdentityProvider.Totp.v1</c>).</summary>
    public required string ProtectedSecret { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Null while enrolment waits for the first correct code; the secret is not a factor until then.</summary>
    public DateTimeOffset? ActivatedAt { get; set; }

    /// <summary>
    /// The newest RFC 6238 time step accepted for this user. Only a later step can be accepted,
    /// and only by a conditional update, so each code works once (NIST SP 800-63B §5.1.4.2).
    /// </summary>
    public long? LastAcceptedStep { get; set; }
}

/// <summary>One single-use recovery code, stored only as a salted PBKDF2 hash.</summary>
public sealed class RecoveryCodeEntity
{
    public long Id { get; set; }

    public required string UserId { get; set; }

    /// <summary>PBKDF2-HMAC-SHA256 of the normalised code with <see cref="Salt"/>, hex.</summary>
    public required string CodeHash { get; set; }

    /// <summary>Random, shared by the codes of one generation, so a redemption costs one derivation.</summary>
    public required string Salt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
