using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IdentityProvider.Protocol.Validation;

/// <summary>RFC 7636 checks shared by the authorization and token endpoints.</summary>
public static class Pkce
{
    /// <summary>
    /// RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. Compared in
    /// constant time so the response time says nothing about how much of a guess was right.
    /// </summary>
    public static bool VerifierMatches(string verifier, string challenge)
    {
        // RFC 7636 §4.1: 43 to 128 characters from the unreserved set.
        if (verifier.Length is < 43 or > 128 || !IsUnreserved(verifier))
        {
            return false;
        }

        var computed = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }

    public static bool IsBase64UrlCharacters(string value) => value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    // RFC 3986 §2.3 unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
    private static bool IsUnreserved(string value) => value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');
}
