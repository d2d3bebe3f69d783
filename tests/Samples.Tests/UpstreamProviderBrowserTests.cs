using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;

namespace Samples.Tests;

/// <summary>
/// The upstream fixture's login page (tests/interop/upstream-provider.mjs) in a real browser, as
/// the federation browser tests will use it: Chromium fills <c>login</c> and <c>password</c>,
/// presses "Sign in", and lands on the relying party's redirect_uri with code, state and iss.
/// </summary>
public sealed class UpstreamProviderBrowserTests : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _chromium = null!;
    private CallbackSite _site = null!;
    private UpstreamOidcProvider _upstream = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(HostedPagesFixture.ChromiumPath), $"{HostedPagesFixture.ChromiumPath} is missing: apt-get install -y chromium (test.sh does this)");
        _site = await CallbackSite.StartAsync();
        _upstream = await UpstreamOidcProvider.StartAsync(new UpstreamProviderConfig
        {
            Clients = [new UpstreamClient("our-idp", [_site.RedirectUri])],
            Accounts = [new UpstreamAccount("alice-sub-1", "alice") { Amr = ["pwd", "otp", "mfa"] }],
        });
        _playwright = await Playwright.CreateAsync();
        _chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = HostedPagesFixture.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        _playwright.Dispose();
        await _upstream.DisposeAsync();
        await _site.DisposeAsync();
    }

    [Fact]
    public async Task ABrowser_SignsInAtTheUpstreamForm_AfterAWrongPassword_AndReachesTheCallback()
    {
        await using var context = await _chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        var state = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var authorizationUrl = QueryHelpers.AddQueryString($"{_upstream.Issuer}/auth", new Dictionary<string, string?>
        {
            ["client_id"] = "our-idp",
            ["response_type"] = "code",
            ["redirect_uri"] = _site.RedirectUri,
            ["scope"] = "openid email profile",
            ["state"] = state,
            ["nonce"] = "n-0S6_WzA2Mj",
            ["code_challenge"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
        });

        await page.GotoAsync(authorizationUrl);
        await page.FillAsync("input[name=login]", "alice");
        await page.FillAsync("input[name=password]", "not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong login or password.");
        Assert.StartsWith($"{_upstream.Issuer}/interaction/", page.Url);

        await page.FillAsync("input[name=password]", UpstreamAccount.DefaultPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(_site.RedirectUri + "?", StringComparison.Ordinal), Committed);

        var query = QueryHelpers.ParseQuery(new Uri(page.Url).Query);
        Assert.False(string.IsNullOrEmpty(query["code"]));
        Assert.Equal(state, query["state"]);
        Assert.Equal(_upstream.Issuer, query["iss"]);
        var login = Assert.Single(await _upstream.WaitForLoginsAsync(1));
        Assert.Equal("alice-sub-1", login.Sub);
        Assert.Equal(["pwd", "otp", "mfa"], login.Amr);
    }
}
