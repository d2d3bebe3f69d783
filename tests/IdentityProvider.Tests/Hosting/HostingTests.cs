using System.Net;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Hosting;

public sealed class HostingTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private readonly IdentityProviderFactory _factory;

    public HostingTests() => _factory = new IdentityProviderFactory(_database);

    [Fact]
    public async Task UnknownPath_Returns404PageWithoutStackTrace()
    {
        using var client = _factory.CreateBrowserlessClient();

        var response = await client.GetAsync("/no/such/page");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"at [\w.`]+\.\w+\(", body);
    }

    [Theory]
    [InlineData("x[")]
    [InlineData("]x[[")]
    public async Task APagePost_WithAFieldNameOfUnbalancedBrackets_IsAnsweredLikeAnyOther(string name)
    {
        // A fuzz finding: MVC's jQuery form reader threw on such a name and every page's post answered 500.
        using var client = _factory.CreateClient(new() { AllowAutoRedirect = false });
        var token = (await client.GetPageAsync("/account/password/forgot")).AntiforgeryToken!;

        var response = await client.PostAsync("/account/password/forgot?" + Uri.EscapeDataString(name) + "=1",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token), new(name, "1"), new("Login", "nobody@nowhere.invalid")]));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/health/live")]
    [InlineData("/no/such/page")]
    public async Task EveryResponse_CarriesSecurityHeaders(string path)
    {
        using var client = _factory.CreateBrowserlessClient();

        var response = await client.GetAsync(path);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task Hsts_IsSentOverHttpsOnly()
    {
        using var http = _factory.CreateBrowserlessClient();
        // HSTS is never sent for localhost (it would pin every local development server), so a real host name.
        using var https = _factory.CreateClient(new() { BaseAddress = new Uri("https://id.example.test"), AllowAutoRedirect = false });

        var plain = await http.GetAsync("/");
        var secure = await https.GetAsync("/");

        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.Contains("max-age=", Assert.Single(secure.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachRequest_IsLoggedOnceWithoutItsQueryString()
    {
        using var client = _factory.CreateBrowserlessClient();

        await client.GetAsync("/health/live?code=SECRET-CODE-123");

        var requestLines = _factory.Logs.Lines.Where(l => l.Contains("RequestLoggingMiddleware", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(requestLines);
        Assert.Contains("HTTP GET /health/live responded 200 in", line, StringComparison.Ordinal);
        Assert.DoesNotContain(_factory.Logs.Lines, l => l.Contains("SECRET-CODE-123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ForwardedHeaders_AreIgnoredFromUnconfiguredPeers()
    {
        using var client = _factory.CreateBrowserlessClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Forwarded-Proto", "https");

        var response = await client.SendAsync(request);

        // Believing the header would make the request count as HTTPS, and HSTS would be sent.
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    public void Dispose()
    {
        _factory.Dispose();
        _database.Dispose();
    }
}
