using System.Net;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>
/// A request no handler of its page takes is refused, not rendered without its model. Fuzz
/// findings: <c>POST /admin</c> and <c>POST /federation/x/start</c> answered 500.
/// </summary>
public sealed class UnmatchedPageHandlerTests : IAsyncLifetime
{
    private ConsoleHost _host = null!;

    public async Task InitializeAsync() => _host = await ConsoleHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("/admin")]
    [InlineData("/federation/nowhere/start")]
    public async Task APostToAPageWithoutAPostHandler_Is405_WithTheMethodsItTakes(string path)
    {
        using var browser = await _host.SignedInAsync(_host.RootId);
        var token = await AntiforgeryTokenAsync(browser);

        var response = await browser.PostAsync(path, new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("client_id", "%")]));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task APostNamingAHandlerThePageDoesNotHave_Is404_AndCreatesNothing()
    {
        using var browser = await _host.SignedInAsync(_host.RootId);
        var token = await AntiforgeryTokenAsync(browser);

        var response = await browser.PostAsync("/admin/organisations?handler=nonsense",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("Name", "Acme")]));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, await _host.Factory.WithDbAsync(db => db.Organisations.CountAsync()));
    }

    [Fact]
    public async Task APageWithoutAGetHandler_StillRenders_AndOneWithIt_StillRunsIt()
    {
        using var browser = await _host.SignedInAsync(_host.RootId);

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.NewBrowser().GetAsync("/account/password/forgot")).StatusCode);
    }

    private static async Task<string> AntiforgeryTokenAsync(HttpClient browser) =>
        (await browser.GetPageAsync("/admin/settings")).AntiforgeryToken!;
}
