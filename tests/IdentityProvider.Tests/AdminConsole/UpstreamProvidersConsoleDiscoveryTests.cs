using System.Net;
using System.Net.Sockets;
using IdentityProvider.Tests.Federation;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>The sign-in provider page's "Test discovery": OK with the upstream's endpoints, or the reason, never a 500.</summary>
public sealed class UpstreamProvidersConsoleDiscoveryTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private ConsoleHost _host = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(TimeProvider.System);
        _host = await ConsoleHost.StartAsync(new Dictionary<string, string>
        {
            ["Federation:Providers:0:Id"] = "corp",
            ["Federation:Providers:0:DisplayName"] = "Corp",
            ["Federation:Providers:0:Issuer"] = _upstream.Issuer,
            ["Federation:Providers:0:ClientId"] = FakeUpstream.ClientId,
            ["Federation:Providers:0:ClientSecret"] = FakeUpstream.ClientSecret,
            ["Federation:Providers:1:Id"] = "down",
            ["Federation:Providers:1:DisplayName"] = "Down",
            ["Federation:Providers:1:Issuer"] = $"http://127.0.0.1:{FreePort()}",
            ["Federation:Providers:1:ClientId"] = "idp",
            ["Federation:Providers:1:ClientSecret"] = "secret",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Reports_OK_WithTheTokenEndpoint_WhenTheUpstreamAnswers()
    {
        using var browser = await _host.SignedInAsync(_host.RootId);
        var page = await browser.GetPageAsync("/admin/federation/corp");

        var response = await browser.PostFormAsync(page, "#discovery-form");
        var result = (await HtmlForms.ReadPageAsync(response, "/admin/federation/corp")).Document.QuerySelector("#discovery-result")!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", result.GetAttribute("data-outcome"));
        Assert.Contains(_upstream.Issuer, result.TextContent, StringComparison.Ordinal);
        Assert.Equal(1, _upstream.DiscoveryRequests);
    }

    [Fact]
    public async Task Reports_TheReason_WhenTheUpstreamCannotBeReached()
    {
        using var browser = await _host.SignedInAsync(_host.RootId);
        var page = await browser.GetPageAsync("/admin/federation/down");

        var response = await browser.PostFormAsync(page, "#discovery-form");
        var result = (await HtmlForms.ReadPageAsync(response, "/admin/federation/down")).Document.QuerySelector("#discovery-result")!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("failed", result.GetAttribute("data-outcome"));
        Assert.Contains("could not be read", result.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_TheTest_WithoutThePermission()
    {
        using var admin = await _host.SignedInAsync(_host.RootId);
        var page = await admin.GetPageAsync("/admin/federation/corp");
        using var alice = await _host.SignedInAsync(_host.AliceId);
        var token = (await alice.GetPageAsync("/account/security")).Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        var response = await alice.PostAsync("/admin/federation/corp?handler=discovery", new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", token)]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.NotNull(page.Document.QuerySelector("#discovery-form"));
        Assert.Equal(0, _upstream.DiscoveryRequests);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
