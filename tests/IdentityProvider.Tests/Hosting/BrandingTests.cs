using System.Net;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Hosting;

public sealed class BrandingTests : IAsyncLifetime
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private IdentityProviderFactory _factory = null!;

    public Task InitializeAsync()
    {
        _factory = new IdentityProviderFactory(_database);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task ShowsTheOperatorsName_Colour_AndSupportContact()
    {
        await using var branded = _factory.WithWebHostBuilder(web =>
        {
            web.UseSetting("Branding:ProductName", "Acme Sign-in");
            web.UseSetting("Branding:PrimaryColour", "#aa0000");
            web.UseSetting("Branding:SupportContact", "it@acme.example");
        });
        using var browser = branded.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var login = await browser.GetPageAsync("/account/login");
        var stylesheet = await browser.GetAsync("/css/brand.css");
        var notFound = await browser.GetAsync("/no-such-page");

        Assert.Equal("Sign in · Acme Sign-in", login.Document.Title);
        Assert.Contains("Contact it@acme.example", login.Text, StringComparison.Ordinal);
        Assert.Equal("text/css", stylesheet.Content.Headers.ContentType!.MediaType);
        Assert.Contains("--brand: #aa0000", await stylesheet.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Contains("it@acme.example", await notFound.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Branding:PrimaryColour", "red; } body { display:none")]
    [InlineData("Branding:LogoPath", "https://cdn.example.com/logo.svg")]
    public void RefusesToStart_WithBrandingThatWouldBreakTheContentSecurityPolicy(string key, string value)
    {
        using var misconfigured = _factory.WithWebHostBuilder(web => web.UseSetting(key, value));

        Assert.Throws<OptionsValidationException>(() => misconfigured.CreateClient());
    }
}
