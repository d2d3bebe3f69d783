using IdentityProvider.Infrastructure.Email;

namespace IdentityProvider.Tests.Email;

public sealed class EmailTemplateTests
{
    private static readonly EmailTemplate Template = new("test", "Hello {name}", "Dear {name}, see {link}.", "<p>Dear {name}, <a href=\"{link}\">here</a></p>");

    private static readonly Dictionary<string, string> Values = new() { ["name"] = "Ada", ["link"] = "https://idp.example/x?a=1&b=2" };

    [Fact]
    public void Substitutes_EveryPlaceholder_AndEncodesOnlyTheHtmlBody()
    {
        var message = Template.Render("ada@example.com", Values);

        Assert.Equal(new EmailMessage("ada@example.com", "Hello Ada", "Dear Ada, see https://idp.example/x?a=1&b=2.",
            "<p>Dear Ada, <a href=\"https://idp.example/x?a=1&amp;b=2\">here</a></p>"), message);
    }

    [Fact]
    public void Replaces_LineBreaksInValues()
    {
        var message = Template.Render("ada@example.com", new Dictionary<string, string>(Values) { ["name"] = "Ada\r\nBcc: eve@example.net" });

        Assert.Equal("Hello Ada  Bcc: eve@example.net", message.Subject);
        Assert.DoesNotContain('\n', message.TextBody);
    }

    [Fact]
    public void LeavesAValueThatLooksLikeAPlaceholder_AsItIs()
    {
        var message = Template.Render("ada@example.com", new Dictionary<string, string>(Values) { ["name"] = "{link}" });

        Assert.Equal("Hello {link}", message.Subject);
    }

    [Fact]
    public void Rejects_AMissingValue()
    {
        var error = Assert.Throws<ArgumentException>(() => Template.Render("ada@example.com", new Dictionary<string, string> { ["name"] = "Ada" }));

        Assert.Contains("{link}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MfaDisabled_UsesTheDocumentedPlaceholders()
    {
        Assert.Equal(new HashSet<string> { "user", "email", "actor", "time" }, EmailTemplates.MfaDisabled.Placeholders);
    }

    [Fact]
    public void LostDevice_UsesTheDocumentedPlaceholders()
    {
        Assert.Equal(new HashSet<string> { "user", "link", "minutes" }, EmailTemplates.LostDevice.Placeholders);
    }

    [Fact]
    public void EmailSignInCode_UsesTheDocumentedPlaceholders()
    {
        Assert.Equal(new HashSet<string> { "user", "code", "minutes" }, EmailTemplates.EmailSignInCode.Placeholders);
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(7, 1920)]
    [InlineData(8, 3600)]
    [InlineData(40, 3600)]
    public void RetryDelay_DoublesUpToTheCap(int attempts, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), new EmailOptions().RetryDelayAfter(attempts));
    }
}
