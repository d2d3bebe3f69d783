using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IdentityProvider.Protocol.Primitives;

/// <summary>
/// The at_hash (and c_hash) of OIDC Core §3.1.3.6 and §3.3.2.11: base64url of the left-most half
/// of the hash of the token's ASCII octets, with the hash of the ID token's JWS alg. Issuing our ID
/// tokens and checking an upstream's use the same one.
/// </summary>
public static class TokenHash
{
    /// <returns>Null for an alg whose hash this provider does not know (the caller refuses it).</returns>
    public static string? LeftHalf(string token, string algorithm)
    {
        var octets = Encoding.ASCII.GetBytes(token);
        byte[]? hash = algorithm switch
        {
            "RS256" or "PS256" or "ES256" => SHA256.HashData(octets),
            "RS384" or "PS384" or "ES384" => SHA384.HashData(octets),
            "RS512" or "PS512" or "ES512" => SHA512.HashData(octets),
            _ => null,
        };
        return hash is null ? null : Base64Url.EncodeToString(hash.AsSpan(0, hash.Length / 2));
    }

    /// <summary>Whether <paramref name="expected"/> is the left-half hash of <paramref name="token"/>, compared in constant time.</summary>
    public static bool Matches(string expected, string token, string algorithm) =>
        LeftHalf(token, algorithm) is { } actual
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(expected));
}
