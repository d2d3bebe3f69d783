namespace IdentityProvider.Protocol.Keys;

/// <summary>Key rotation policy. Bound from <c>SigningKeys</c>.</summary>
public sealed class SigningKeyOptions
{
    public const string SectionName = "SigningKeys";

    /// <summary>Algorithms to keep a current key for. Default: both RS256 and ES256.</summary>
    public List<string> Algorithms { get; set; } = [.. SigningAlgorithms.All];

    /// <summary>ID tokens: RS256 by default, the one algorithm every OpenID Connect client must accept.</summary>
    public string IdTokenAlgorithm { get; set; } = SigningAlgorithms.RS256;

    /// <summary>
    /// RFC 9068 access tokens: ES256 by default. Resource servers are ours to configure, and an
    /// ES256 signature costs about a tenth of an RSA-2048 one, which dominates the cost of a token
    /// (docs/performance.md).
    /// </summary>
    public string AccessTokenAlgorithm { get; set; } = SigningAlgorithms.ES256;

    /// <summary>How long a key signs before its successor takes over. Default 90 days.</summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long a new key sits in the JWKS before it signs anything. Must exceed every cache of the
    /// JWKS, ours (<see cref="CacheDuration"/>) and relying parties'. Default 1 day.
    /// </summary>
    public TimeSpan PrePublication { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The longest lifetime of any token a key signs: a superseded key stays published this long
    /// (plus <see cref="ClockSkew"/>) so every token it signed can still be verified. Default 1 hour.
    /// </summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a node keeps the key set in memory. Bounds how soon a rotation or revocation made on
    /// another node is seen here. Default 30 seconds.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each node runs the rotation schedule. Default 1 hour.</summary>
    public TimeSpan ScheduleInterval { get; set; } = TimeSpan.FromHours(1);
}
