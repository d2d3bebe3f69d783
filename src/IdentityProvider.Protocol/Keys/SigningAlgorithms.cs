namespace IdentityProvider.Protocol.Keys;

/// <summary>JWS algorithms this server signs with (RFC 7518 §3.1).</summary>
public static class SigningAlgorithms
{
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256; OIDC Core §15.1 requires every provider to support it for ID tokens.</summary>
    public const string RS256 = "RS256";

    /// <summary>ECDSA P-256 with SHA-256: smaller signatures, several times cheaper to create than RS256.</summary>
    public const string ES256 = "ES256";

    public static readonly IReadOnlyList<string> All = [RS256, ES256];
}
