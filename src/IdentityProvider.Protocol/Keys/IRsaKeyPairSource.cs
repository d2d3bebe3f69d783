using System.Security.Cryptography;

namespace IdentityProvider.Protocol.Keys;

/// <summary>
/// Where <see cref="SigningKeyGenerator"/> gets a new RSA key pair. Generating one takes a tenth of
/// a second to half a second (a prime search), far longer than anything else a key needs; a host that
/// starts many short-lived instances of the server, such as a test suite, may hand out pairs it made
/// before. Every pair must be private to this server; the caller disposes it.
/// </summary>
public interface IRsaKeyPairSource
{
    RSA Create(int keySizeInBits);
}

/// <summary>A freshly generated pair for every key: the default.</summary>
public sealed class GeneratedRsaKeyPairs : IRsaKeyPairSource
{
    public RSA Create(int keySizeInBits) => RSA.Create(keySizeInBits);
}
