using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace IdentityProvider.Protocol.Keys;

/// <summary>Creates key pairs; the private half leaves this class only protected by data protection.</summary>
public sealed class SigningKeyGenerator(IDataProtectionProvider dataProtection, IRsaKeyPairSource rsaKeyPairs)
{
    public const string ProtectionPurpose = "IdentityProvider.SigningKeys.v1";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(ProtectionPurpose);

    public SigningKey Create(string algorithm, DateTimeOffset createdAt, DateTimeOffset activatesAt, TimeSpan rotationInterval)
    {
        var keyId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var (publicMembers, pkcs8) = algorithm switch
        {
            SigningAlgorithms.ES256 => CreateEc(),
            SigningAlgorithms.RS256 => CreateRsa(),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported signing algorithm."),
        };

        // RFC 7517 §4.2, §4.4, §4.5: use, alg and kid let a verifier pick the key without guessing.
        publicMembers["kid"] = keyId;
        publicMembers["alg"] = algorithm;
        publicMembers["use"] = "sig";
        try
        {
            return new SigningKey
            {
                KeyId = keyId,
                Algorithm = algorithm,
                CreatedAt = createdAt,
                ActivatesAt = activatesAt,
                RetiresAt = activatesAt + rotationInterval,
                PublicJwk = JsonSerializer.Serialize(publicMembers),
                ProtectedPrivateKey = Convert.ToBase64String(_protector.Protect(pkcs8)),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    public byte[] UnprotectPrivateKey(SigningKey key) => _protector.Unprotect(Convert.FromBase64String(key.ProtectedPrivateKey));

    // RFC 7518 §6.2.1: kty, crv, x, y.
    private static (Dictionary<string, string>, byte[]) CreateEc()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ec.ExportParameters(includePrivateParameters: false);
        return (new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64Url.EncodeToString(parameters.Q.X!),
            ["y"] = Base64Url.EncodeToString(parameters.Q.Y!),
        }, ec.ExportPkcs8PrivateKey());
    }

    // RFC 7518 §6.3.1: kty, n, e. 2048 bits is the minimum RFC 7518 §3.3 allows.
    private (Dictionary<string, string>, byte[]) CreateRsa()
    {
        using var rsa = rsaKeyPairs.Create(2048);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return (new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["n"] = Base64Url.EncodeToString(parameters.Modulus!),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent!),
        }, rsa.ExportPkcs8PrivateKey());
    }
}
