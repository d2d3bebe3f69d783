using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IdentityProvider.Protocol.Primitives;

/// <summary>
/// Random bearer artefacts (authorization codes, refresh tokens, interaction ids, client secrets).
/// 256 bits of entropy make them unguessable, so a fast hash at rest is enough: a database leak
/// yields nothing usable, and lookups stay an indexed equality on the hash.
/// </summary>
public static class OpaqueTokens
{
    public const int Bytes = 32;

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(Bytes));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
