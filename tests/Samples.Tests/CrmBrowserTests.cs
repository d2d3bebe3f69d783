using System.Collections.Concurrent;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Pages.Account;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Samples.Tests;

/// <summary>
/// The journeys of a person in a real browser (Debian's Chromium through Playwright) on the
/// provider's hosted pages: sign in to the CRM with a password, enrol an authenticator app, sign in
/// again with password and code, step up for administration, use a recovery code, get locked out.
/// Codes are computed from the key the page shows, at the provider's (fake, standing) clock.
/// Screenshots of every page at desktop and phone widths go to <c>TestResults/screenshots/</c>.
/// </summary>
public sealed class CrmBrowserTests(HostedPagesFixture samples, ITestOutputHelper output) : IClassFixture<HostedPagesFixture>
{
    private readonly HostedPagesJourney _journey = new(samples, output);

    private string Login => _journey.Login;

    [Fact]
    public async Task EnrolsAnAuthenticator_SignsInWithPasswordAndCode_StepsUp_CallsTheApi_AndSignsOut()
    {
        var henry = await samples.CreatePasswordUserAsync("Henry Example");
        var page = await _journey.NewPageAsync();
        // Playwright raises Request on its own thread while the test reads the log.
        var requested = new ConcurrentQueue<string>();
        page.Request += (_, request) => requested.Enqueue(request.Url);

        // The CRM sends the browser to the provider's sign-in page; the password alone signs Henry in.
        await page.GotoAsync(samples.Crm.BaseUrl + "/WhoAmI");
        Assert.StartsWith(Login + "?request=", page.Url, StringComparison.Ordinal);
        await _journey.CaptureAsync(page, "1-login");
        await _journey.SubmitPasswordAsync(page, henry);
        Assert.Equal(samples.Crm.BaseUrl + "/WhoAmI", page.Url);
        Assert.Equal("Henry Example", await page.TextContentAsync("#name"));
        Assert.Equal("pwd", await page.TextContentAsync("#amr"));

        var (secret, recoveryCodes) = await _journey.EnrolAsync(page, henry, capture: true);
        Assert.Equal(10, recoveryCodes.Count);

        // Administration needs a second factor, which this session lacks: the CRM steps up with
        // acr_values=mfa and max_age, and the provider asks for the password and then the code.
        await page.GotoAsync(samples.Crm.BaseUrl + "/Admin");
        Assert.Contains(requested, url => url.StartsWith(samples.Idp.Issuer + "/connect/authorize?", StringComparison.Ordinal)
            && url.Contains("acr_values=mfa", StringComparison.Ordinal) && url.Contains("max_age=300", StringComparison.Ordinal));
        await _journey.SubmitPasswordAsync(page, henry);
        await _journey.SubmitCodeAsync(page, secret);
        await page.WaitForURLAsync(samples.Crm.BaseUrl + "/Admin", Committed);
        Assert.Contains("pwd otp mfa", await page.TextContentAsync("#admin-ok"));

        // Signing out of the CRM ends the provider's session too: the next visit asks for the password again.
        await page.ClickAsync("#sign-out button");
        await page.WaitForURLAsync(samples.Crm.BaseUrl + "/Goodbye", Committed);
        await page.GotoAsync(samples.Crm.BaseUrl + "/WhoAmI");
        await _journey.SubmitPasswordAsync(page, henry);
        Assert.Equal(samples.Idp.Issuer + SignInSteps.SecondFactorPath, page.Url);
        await _journey.CaptureAsync(page, "4-code");
        await _journey.SubmitCodeAsync(page, secret);
        await page.WaitForURLAsync(samples.Crm.BaseUrl + "/WhoAmI", Committed);
        Assert.Equal("pwd otp mfa", await page.TextContentAsync("#amr"));
        Assert.Equal("mfa", await page.TextContentAsync("#acr"));

        // A two-factor session opens administration without another trip to the provider.
        requested.Clear();
        await page.GotoAsync(samples.Crm.BaseUrl + "/Admin");
        Assert.DoesNotContain(requested, url => url.StartsWith(samples.Idp.Issuer, StringComparison.Ordinal));
        Assert.Contains("pwd otp mfa", await page.TextContentAsync("#admin-ok"));

        await page.GotoAsync(samples.Crm.BaseUrl + "/Deals");
        Assert.Contains("Fleet renewal", await page.TextContentAsync("#deals"));

        await page.ClickAsync("#sign-out button");
        await page.WaitForURLAsync(samples.Crm.BaseUrl + "/Goodbye", Committed);

        // The provider's session is gone too: a silent request comes back with login_required.
        await page.GotoAsync(samples.Idp.Issuer + "/connect/authorize?response_type=code&client_id=crm&scope=openid&state=s"
            + "&prompt=none&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
            + "&redirect_uri=" + Uri.EscapeDataString(samples.CallbackUri));
        Assert.StartsWith(samples.CallbackUri + "?", page.Url);
        Assert.Contains("error=login_required", page.Url);
        _journey.AssertNoCspViolations();
    }

    [Fact]
    public async Task AnswersUnmetAuthenticationRequirements_WhenAPasswordOnlyUserOpensAdministration()
    {
        var ivy = await samples.CreatePasswordUserAsync("Ivy Example");
        var page = await _journey.NewPageAsync();
        // Playwright raises Request on its own thread while the test reads the log.
        var requested = new ConcurrentQueue<string>();
        page.Request += (_, request) => requested.Enqueue(request.Url);
        await page.GotoAsync(samples.Crm.BaseUrl + "/WhoAmI");
        await _journey.SubmitPasswordAsync(page, ivy);

        // Step-up sends Ivy back to the password page (max_age); a password cannot make acr=mfa.
        await page.GotoAsync(samples.Crm.BaseUrl + "/Admin");
        Assert.StartsWith(Login + "?request=", page.Url, StringComparison.Ordinal);
        await _journey.SubmitPasswordAsync(page, ivy);

        Assert.Contains(requested, url => url.StartsWith(samples.CallbackUri + "?", StringComparison.Ordinal)
            && url.Contains("error=unmet_authentication_requirements", StringComparison.Ordinal));
        Assert.NotEqual(samples.Crm.BaseUrl + "/Admin", page.Url);
        _journey.AssertNoCspViolations();
    }

    [Fact]
    public async Task SignsIn_WithARecoveryCode_SaysHowManyAreLeft_AndContinuesToTheCrm()
    {
        var judy = await samples.CreatePasswordUserAsync("Judy Example");
        var (_, recoveryCodes) = await _journey.EnrolAsync(await _journey.NewPageAsync(), judy, capture: false);
        var page = await _journey.NewPageAsync();

        await page.GotoAsync(samples.Crm.BaseUrl + "/WhoAmI");
        await _journey.SubmitPasswordAsync(page, judy);
        await page.ClickAsync("text=Use a recovery code instead");
        await _journey.CaptureAsync(page, "5-recovery-code");
        await page.FillAsync("#code", recoveryCodes[0]);
        await page.ClickAsync("button[type=submit]");

        Assert.Equal(samples.Idp.Issuer + RecoveryUsedModel.Path, page.Url);
        Assert.Contains("You have 9 recovery codes left.", await page.TextContentAsync("[role=status]"));
        await _journey.CaptureAsync(page, "6-recovery-used");
        await page.ClickAsync("text=Continue");
        await page.WaitForURLAsync(samples.Crm.BaseUrl + "/WhoAmI", Committed);
        Assert.Equal("Judy Example", await page.TextContentAsync("#name"));
        _journey.AssertNoCspViolations();
    }

    [Fact]
    public async Task LocksTheAccount_AfterFiveWrongCodes_WithTheGenericError()
    {
        var karl = await samples.CreatePasswordUserAsync("Karl Example");
        var (secret, _) = await _journey.EnrolAsync(await _journey.NewPageAsync(), karl, capture: false);
        var page = await _journey.NewPageAsync();
        await page.GotoAsync(samples.Crm.BaseUrl + "/WhoAmI");
        await _journey.SubmitPasswordAsync(page, karl);
        var right = _journey.CodeNow(secret);
        var wrong = right == "000000" ? "111111" : "000000";

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await page.FillAsync("#code", wrong);
            await page.ClickAsync("button[type=submit]");
            Assert.Equal(LoginModel.GenericError, await page.TextContentAsync("#code-error"));
        }

        await _journey.CaptureAsync(page, "7-code-error");
        await page.FillAsync("#code", right);
        await page.ClickAsync("button[type=submit]");

        Assert.Equal(samples.Idp.Issuer + SignInSteps.SecondFactorPath, page.Url);
        Assert.Equal(LoginModel.GenericError, await page.TextContentAsync("#code-error"));
        await Assertions.Expect(page.Locator("#code-error")).ToBeVisibleAsync();
        _journey.AssertNoCspViolations();
    }

    [Fact]
    public async Task ShowsTheGenericError_ForAWrongPassword_AndKeepsTheUsername()
    {
        var lena = await samples.CreatePasswordUserAsync("Lena Example");
        var page = await _journey.NewPageAsync();
        await page.GotoAsync(samples.Crm.BaseUrl + "/WhoAmI");

        await _journey.SubmitPasswordAsync(page, lena with { Password = "not " + lena.Password });

        Assert.StartsWith(Login, page.Url, StringComparison.Ordinal);
        Assert.Equal(LoginModel.GenericError, await page.TextContentAsync("#login-error"));
        await Assertions.Expect(page.Locator("#login-error")).ToBeVisibleAsync();
        Assert.Equal(lena.UserName, await page.InputValueAsync("#username"));
        await _journey.CaptureAsync(page, "2-login-error");
        _journey.AssertNoCspViolations();
    }

    [Fact]
    public async Task SignsIn_WithTheKeyboardOnly()
    {
        var mia = await samples.CreatePasswordUserAsync("Mia Example");
        var page = await _journey.NewPageAsync();
        await page.GotoAsync(samples.Crm.BaseUrl + "/WhoAmI");

        // The username field has the focus on arrival; Tab walks username → password → Sign in.
        Assert.Equal("username", await FocusedAsync(page));
        await page.Keyboard.TypeAsync(mia.UserName);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("password", await FocusedAsync(page));
        await page.Keyboard.TypeAsync(mia.Password);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("BUTTON Sign in", await page.EvaluateAsync<string>("() => document.activeElement.tagName + ' ' + document.activeElement.textContent"));
        Assert.NotEqual("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));

        // Enter in the password field submits the form.
        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForURLAsync(samples.Crm.BaseUrl + "/WhoAmI", Committed);
        Assert.Equal("Mia Example", await page.TextContentAsync("#name"));
        _journey.AssertNoCspViolations();
    }

    private static Task<string> FocusedAsync(IPage page) => page.EvaluateAsync<string>("() => document.activeElement.id");
}
