using Microsoft.Playwright;

namespace Samples.Tests;

/// <summary>
/// The whole journey in a real browser (Debian's Chromium through Playwright): sign in through the
/// provider, see the amr, step up for administration, read deals from the API, sign out of both.
/// </summary>
public sealed class CrmBrowserTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task SignsIn_StepsUp_CallsTheApi_AndSignsOut_InABrowser()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (test.sh does this)");
        var henry = await samples.CreateUserAsync("Henry Example");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync();
        var requested = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);

        // The CRM sends the browser to the provider, whose (test) login page signs Henry in with a password.
        await page.GotoAsync(samples.Crm.BaseUrl + "/WhoAmI");
        await SignInAtTestLoginAsync(page, henry, "pwd", acr: null);
        Assert.Equal(samples.Crm.BaseUrl + "/WhoAmI", page.Url);
        Assert.Equal("Henry Example", await page.TextContentAsync("#name"));
        Assert.Equal("pwd", await page.TextContentAsync("#amr"));

        // Administration asks for a second factor: step-up at the provider, then back to the page.
        await page.GotoAsync(samples.Crm.BaseUrl + "/Admin");
        Assert.Contains(requested, url => url.StartsWith(samples.Idp.Issuer + "/connect/authorize?", StringComparison.Ordinal)
            && url.Contains("acr_values=mfa", StringComparison.Ordinal) && url.Contains("max_age=300", StringComparison.Ordinal));
        await SignInAtTestLoginAsync(page, henry, "pwd otp mfa", acr: "mfa");
        Assert.Equal(samples.Crm.BaseUrl + "/Admin", page.Url);
        Assert.Contains("pwd otp mfa", await page.TextContentAsync("#admin-ok"));

        await page.GotoAsync(samples.Crm.BaseUrl + "/Deals");
        Assert.Contains("Fleet renewal", await page.TextContentAsync("#deals"));

        await page.ClickAsync("#sign-out button");
        await page.WaitForURLAsync(samples.Crm.BaseUrl + "/Goodbye");

        // The provider's session is gone too: a silent request comes back with login_required.
        await page.GotoAsync(samples.Idp.Issuer + "/connect/authorize?response_type=code&client_id=crm&scope=openid&state=s"
            + "&prompt=none&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
            + "&redirect_uri=" + Uri.EscapeDataString(samples.CallbackUri));
        Assert.StartsWith(samples.CallbackUri + "?", page.Url);
        Assert.Contains("error=login_required", page.Url);
    }

    // The test login stands in for the hosted sign-in page: the same URL plus who signed in and how.
    private static async Task SignInAtTestLoginAsync(IPage page, string user, string amr, string? acr)
    {
        Assert.Contains(IdentityProvider.Tests.Infrastructure.TestLoginStartupFilter.Path + "?request=", page.Url);
        await page.GotoAsync(page.Url + "&user=" + Uri.EscapeDataString(user) + "&amr=" + Uri.EscapeDataString(amr)
            + (acr is null ? "" : "&acr=" + acr));
    }
}
