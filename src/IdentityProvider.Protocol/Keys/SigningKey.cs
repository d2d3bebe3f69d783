namespace IdentityProvider.Protocol.Keys;

/// <summary>
/// A signing key as stored. Rows are written once; the only later change is revocation.
/// Whether a key signs or is published is derived from the whole key set by <see cref="SigningKeySchedule"/>.
/// </summary>
public sealed record SigningKey
{
    /// <summary>The JWS <c>kid</c> (RFC 7515 §4.1.4).</summary>
    public required string KeyId { get; init; }

    public required string Algorithm { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>From this instant it may sign; before it, it is only published.</summary>
    public required DateTimeOffset ActivatesAt { get; init; }

    /// <summary>When a successor is due: the scheduler publishes one ahead of this instant.</summary>
    public required DateTimeOffset RetiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>The public JWK (RFC 7517 §4) with kid, alg and use=sig; never a private member.</summary>
    public required string PublicJwk { get; init; }

    /// <summary>The PKCS#8 private key, protected with ASP.NET Core data protection.</summary>
    public required string ProtectedPrivateKey { get; init; }
}
