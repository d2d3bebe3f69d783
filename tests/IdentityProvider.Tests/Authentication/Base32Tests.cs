using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Authentication.Totp;

namespace IdentityProvider.Tests.Authentication;

public sealed class Base32Tests
{
    // RFC 4648 §10, with the '=' padding left out as the Key URI format does.
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Encodes_TheRfc4648Vectors(string text, string expected) =>
        Assert.Equal(expected, Base32.Encode(Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData("MZXW6YTBOI======", "foobar")]
    [InlineData("MZXW6YTBOI", "foobar")]
    [InlineData("mzxw6ytboi", "foobar")]
    [InlineData("MZXW 6YTB OI", "foobar")]
    [InlineData("MY======", "f")]
    public void Decodes_PaddedLowerCaseAndGroupedText(string encoded, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(Base32.Decode(encoded)));

    [Theory]
    [InlineData("MZXW6YTB1")]
    [InlineData("MZXW0")]
    [InlineData("M")]
    [InlineData("MZX")]
    [InlineData("MZ")] // "MY" is "f"; "MZ" leaves a non-zero padding bit
    public void Rejects_TextThatIsNotBase32(string encoded) =>
        Assert.False(Base32.TryDecode(encoded, out _));

    [Fact]
    public void RoundTrips_RandomSecretsOfEveryLength()
    {
        for (var length = 0; length <= 40; length++)
        {
            var data = RandomNumberGenerator.GetBytes(length);
            Assert.Equal(data, Base32.Decode(Base32.Encode(data)));
        }
    }

    [Fact]
    public void Groups_InFours()
    {
        Assert.Equal("JBSW Y3DP EHPK 3PXP", Base32.Group("JBSWY3DPEHPK3PXP"));
        Assert.Equal("ABCD EF", Base32.Group("ABCDEF"));
    }
}
