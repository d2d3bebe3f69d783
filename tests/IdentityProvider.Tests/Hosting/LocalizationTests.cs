using System.Text.RegularExpressions;
using System.Xml.Linq;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Hosting;

public sealed partial class LocalizationTests : IAsyncLifetime
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private IdentityProviderFactory _factory = null!;
    private HttpClient _browser = null!;

    public async Task InitializeAsync()
    {
        _factory = new IdentityProviderFactory(_database);
        _browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await using var scope = _factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = ["https://crm.example.com/cb"], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid"],
        }, "test", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private async Task<HtmlPage> LoginPageAsync(string? acceptLanguage, string? uiLocales = null)
    {
        var flow = new CodeFlow(_browser, "crm", "https://crm.example.com/cb");
        var authorize = await _browser.GetAsync(flow.AuthorizeUrl("openid", ("ui_locales", uiLocales)));
        var location = authorize.Headers.Location!.OriginalString;
        var requestId = QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["request"].ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login?request=" + requestId);
        if (acceptLanguage is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        }

        return await HtmlForms.ReadPageAsync(await _browser.SendAsync(request), "/account/login?request=" + requestId);
    }

    [Theory]
    [InlineData("de-DE,de;q=0.9", null, "de", "Anmelden")]
    [InlineData("en-GB", "de", "de", "Anmelden")]
    [InlineData("de", "en", "en", "Sign in")]
    [InlineData("fr-FR", null, "en", "Sign in")]
    public async Task ShowsThePagesInTheLanguageAsked_UiLocalesFirst_ThenTheBrowsers(string acceptLanguage, string? uiLocales, string lang, string heading)
    {
        var page = await LoginPageAsync(acceptLanguage, uiLocales);

        Assert.Equal(lang, page.Document.DocumentElement.GetAttribute("lang"));
        Assert.Equal(heading, page.Document.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task TranslatesTheGenericLoginError_AndKeepsTheLanguageOfTheRequestAcrossThePost()
    {
        var page = await LoginPageAsync(acceptLanguage: null, uiLocales: "de");

        var response = await _browser.SubmitAsync(page, new Dictionary<string, string> { ["Username"] = "nobody", ["Password"] = "whatever it is" });
        var answer = await HtmlForms.ReadPageAsync(response, page.Url);

        Assert.StartsWith("Anmeldung fehlgeschlagen.", answer.Document.QuerySelector("#login-error")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TranslatesARefusedPasskey_AndKeepsTheLanguageOfTheRequestAcrossThePost()
    {
        var page = await LoginPageAsync(acceptLanguage: null, uiLocales: "de");

        var response = await _browser.SubmitAsync(page, new Dictionary<string, string> { ["ceremony"] = "unknown", ["credential"] = "{}" }, "#passkey-form");
        var answer = await HtmlForms.ReadPageAsync(response, page.Url);

        Assert.Equal("de", answer.Document.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Diese Passkey-Anfrage ist abgelaufen oder wurde bereits verwendet. Versuchen Sie es erneut.",
            answer.Document.QuerySelector("#login-error")!.TextContent);
    }

    [Fact]
    public async Task TranslatesTheProtocolsErrorPage()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/authorize?client_id=unknown&response_type=code");
        request.Headers.AcceptLanguage.ParseAdd("de");

        var page = await HtmlForms.ReadPageAsync(await _browser.SendAsync(request), "/connect/authorize");

        Assert.Equal("de", page.Document.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Diese Anmeldeanfrage kann nicht abgeschlossen werden", page.Document.QuerySelector("h1")!.TextContent);
        Assert.Contains("Die Anwendung ist nicht registriert.", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void TranslatesEveryTextThePagesUse_IntoGerman()
    {
        var root = NodeScript.RepositoryRoot();
        var pages = Path.Combine(root, "src", "IdentityProvider", "Pages");
        var german = XDocument.Load(Path.Combine(root, "src", "IdentityProvider", "Resources", "SharedResource.de.resx"))
            .Root!.Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        var used = Directory.EnumerateFiles(pages, "*.cshtml", SearchOption.AllDirectories)
            .SelectMany(file => LocalizedText().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(used);
        var untranslated = used.Where(text => !german.Contains(text)).ToList();
        Assert.True(untranslated.Count == 0, "No German text for: " + string.Join(" | ", untranslated));
    }

    [GeneratedRegex(@"T\[""((?:[^""\\]|\\.)+)""")]
    private static partial Regex LocalizedText();
}
