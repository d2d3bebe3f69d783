using System.Text;
using IdentityProvider.Authentication.Totp;

namespace IdentityProvider.Tests.Authentication;

/// <summary>The code computation against the published vectors of RFC 6238 and RFC 4226.</summary>
public sealed class Rfc6238Tests
{
    // RFC 6238 Appendix B: the SHA-1 seed is the 20 ASCII bytes "12345678901234567890".
    private static readonly byte[] Seed = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Computes_TheAppendixBVectors(long unixTime, string expected)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(unixTime);

        Assert.Equal(expected, Rfc6238.ComputeCode(Seed, time, digits: 8));
        // Six digits are the same number modulo 10^6: the last six digits of the vector.
        Assert.Equal(expected[2..], Rfc6238.ComputeCode(Seed, time));
    }

    [Theory]
    [InlineData(0L, "755224")]
    [InlineData(1L, "287082")]
    [InlineData(5L, "254676")]
    [InlineData(9L, "520489")]
    public void Computes_TheRfc4226AppendixDVectors(long counter, string expected) =>
        Assert.Equal(expected, Rfc6238.ComputeCode(Seed, counter));

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(29L, 0L)]
    [InlineData(30L, 1L)]
    [InlineData(59L, 1L)]
    [InlineData(1111111109L, 37037036L)]
    public void Counts_ThirtySecondSteps_FromTheEpoch(long unixTime, long step) =>
        Assert.Equal(step, Rfc6238.TimeStep(DateTimeOffset.FromUnixTimeSeconds(unixTime)));
}
