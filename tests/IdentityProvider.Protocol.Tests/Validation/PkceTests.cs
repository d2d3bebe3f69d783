using IdentityProvider.Protocol.Validation;

namespace IdentityProvider.Protocol.Tests.Validation;

public sealed class PkceTests
{
    // RFC 7636 Appendix B
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private const string Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    [Fact]
    public void Issues_ForTheRfc7636AppendixBVector()
    {
        Assert.True(Pkce.VerifierMatches(Verifier, Challenge));
    }

    [Fact]
    public void Rejects_WhenTheVerifierDiffersByOneCharacter()
    {
        Assert.False(Pkce.VerifierMatches("e" + Verifier[1..], Challenge));
    }

    [Theory]
    [InlineData(42)]
    [InlineData(129)]
    public void Rejects_WhenTheVerifierLengthIsOutOfRange(int length)
    {
        var verifier = new string('a', length);

        Assert.False(Pkce.VerifierMatches(verifier, ChallengeOf(verifier)));
    }

    [Theory]
    [InlineData(43)]
    [InlineData(128)]
    public void Issues_WhenTheVerifierLengthIsAtABound(int length)
    {
        var verifier = new string('a', length);

        Assert.True(Pkce.VerifierMatches(verifier, ChallengeOf(verifier)));
    }

    [Theory]
    [InlineData('+')]
    [InlineData('/')]
    [InlineData('=')]
    [InlineData(' ')]
    [InlineData('é')]
    public void Rejects_WhenTheVerifierHasACharacterOutsideTheUnreservedSet(char character)
    {
        // The challenge is computed from the very verifier (as the server would hash it), so only the character rule can refuse it.
        var verifier = Verifier[..42] + character;

        Assert.False(Pkce.VerifierMatches(verifier, ChallengeOf(verifier)));
    }

    [Fact]
    public void Issues_WhenTheVerifierUsesEveryUnreservedPunctuation()
    {
        var verifier = Verifier[..39] + "-._~";

        Assert.True(Pkce.VerifierMatches(verifier, ChallengeOf(verifier)));
    }

    private static string ChallengeOf(string verifier) =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
}
