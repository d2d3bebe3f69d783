using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Protocol.ClientAuthentication;

/// <summary>
/// Client secrets are generated here with 256 bits of entropy and stored as SHA-256. Against a
/// secret that cannot be guessed, a slow password hash adds no protection; it would only cap how
/// many token requests a node can serve.
/// </summary>
public static class ClientSecretHasher
{
    public const int SecretBytes = OpaqueTokens.Bytes;

    public static string NewSecret() => OpaqueTokens.New();

    public static string Hash(string secret) => OpaqueTokens.Hash(secret);

    /// <summary>Constant-time, so response timing tells an attacker nothing about how close a guess was.</summary>
    public static bool Matches(string presentedSecret, string storedSha256Hex)
    {
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedSecret), presented);
        Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
        return Convert.FromHexString(storedSha256Hex, stored, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == SHA256.HashSizeInBytes
            && CryptographicOperations.FixedTimeEquals(presented, stored);
    }
}
