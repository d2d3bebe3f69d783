using System.Security.Cryptography;
using System.Text;

namespace IdentityProvider.Admin.Bootstrap;

internal static class SetupTokenHasher
{
    /// <summary>
    /// A setup token carries 256 random bits, so a fast hash is enough to make a stolen database
    /// useless for redeeming it; a slow password hash would add nothing.
    /// </summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string NewToken() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
