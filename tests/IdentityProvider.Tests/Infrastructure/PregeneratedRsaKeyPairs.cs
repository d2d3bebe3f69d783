using System.Security.Cryptography;
using IdentityProvider.Protocol.Keys;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// RSA pairs made once per test run and handed out in turn as copies. Every in-process host
/// makes an RS256 key at start-up, and generating one costs 0.1–0.5 s of CPU, hundreds of times
/// over; the pairs are real, only not new. A key's identity is its random kid, so two keys with
/// one modulus in a test's database are still two keys.
/// </summary>
public sealed class PregeneratedRsaKeyPairs : IRsaKeyPairSource
{
    private const int PairCount = 4;

    public static PregeneratedRsaKeyPairs Instance { get; } = new();

    private readonly Lazy<RSAParameters[]> _pairs = new(() =>
        Enumerable.Range(0, PairCount).AsParallel().Select(_ =>
        {
            using var rsa = RSA.Create(2048);
            return rsa.ExportParameters(includePrivateParameters: true);
        }).ToArray());

    private int _next = -1;

    public RSA Create(int keySizeInBits)
    {
        var pair = _pairs.Value[(Interlocked.Increment(ref _next) & int.MaxValue) % PairCount];
        if (pair.Modulus!.Length * 8 != keySizeInBits)
        {
            // Only 2048-bit pairs are kept; any other size is made as the server would.
            return RSA.Create(keySizeInBits);
        }

        var rsa = RSA.Create();
        rsa.ImportParameters(pair);
        return rsa;
    }
}
