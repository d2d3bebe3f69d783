using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Pages.Account;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Samples.Tests;

/// <summary>
/// What the browser tests of the hosted pages do over and over: open a page in a fresh context
/// whose console is kept, sign in with a password or a code, enrol an authenticator app, take
/// screenshots, and check the console afterwards. One per test, as it keeps that test's console.
/// </summary>
public sealed class HostedPagesJourney(HostedPagesFixture samples, ITestOutputHelper output)
{
    private static readonly (string Name, int Width, int Height, ColorScheme Scheme)[] Viewports =
        [("desktop", 1280, 800, ColorScheme.Light), ("phone", 390, 844, ColorScheme.Light), ("phone-dark", 390, 844, ColorScheme.Dark)];

    private readonly List<string> _console = [];

    public string Login => samples.Idp.Issuer + LoginModel.Path;

    /// <summary>A page in a fresh context (its own cookies), whose console messages this test keeps.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await samples.Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = Viewports[0].Width, Height = Viewports[0].Height },
        });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            lock (_console)
            {
                _console.Add($"{message.Type}: {message.Text} ({page.Url}) at {message.Location}");
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_console)
            {
                _console.Add($"pageerror: {error} ({page.Url})");
            }
        };
        return page;
    }

    public async Task SubmitPasswordAsync(IPage page, PasswordUser user)
    {
        Assert.StartsWith(Login, page.Url, StringComparison.Ordinal);
        await page.FillAsync("#username", user.UserName);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("button[type=submit]");
    }

    /// <summary>Enters the code the app shows now; the clock then moves on, as each step's code works once.</summary>
    public async Task SubmitCodeAsync(IPage page, string secret)
    {
        Assert.StartsWith(samples.Idp.Issuer + SignInSteps.SecondFactorPath, page.Url, StringComparison.Ordinal);
        await page.FillAsync("#code", CodeNow(secret));
        // The clock moves on only once the server has answered the post: moved earlier, a slow
        // server checked the code against the next step's time (seen once under load).
        await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"), response => response.Request.Method == "POST");
        samples.Time.Advance(TimeSpan.FromSeconds(30));
    }

    public string CodeNow(string secret) => Rfc6238.ComputeCode(Base32.Decode(secret), samples.Time.GetUtcNow());

    /// <summary>
    /// On the provider's Security page (signed in already): re-confirm the password, read the key,
    /// activate with the code it gives now, and note the recovery codes. The clock then moves one
    /// step on, since each step's code is accepted once. With <paramref name="capture"/>, screenshots
    /// of each stage.
    /// </summary>
    public async Task<(string Secret, IReadOnlyList<string> RecoveryCodes)> EnrolAsync(IPage page, PasswordUser user, bool capture)
    {
        await page.GotoAsync(samples.Idp.Issuer + SecurityModel.Path);
        if (page.Url.StartsWith(Login, StringComparison.Ordinal))
        {
            await SubmitPasswordAsync(page, user);
            await page.GotoAsync(samples.Idp.Issuer + SecurityModel.Path);
        }

        if (capture)
        {
            await CaptureAsync(page, "3a-security-off");
        }

        await page.FillAsync("#confirm-password", user.Password);
        await page.ClickAsync("form[action*='StartTotp'] button[type=submit]");
        var secret = (await page.TextContentAsync("#totp-secret"))!.Replace(" ", "", StringComparison.Ordinal);
        await Assertions.Expect(page.Locator(".qr svg")).ToBeVisibleAsync();
        if (capture)
        {
            await page.ClickAsync("summary");
            await CaptureAsync(page, "3b-enrolment");
        }

        await page.FillAsync("#activation-code", CodeNow(secret));
        await page.ClickAsync("form[action*='ActivateTotp'] button[type=submit]");
        var codes = await page.Locator("#recovery-codes code").AllTextContentsAsync();
        if (capture)
        {
            await CaptureAsync(page, "3c-recovery-codes");
        }

        samples.Time.Advance(TimeSpan.FromSeconds(30));
        return (secret, codes);
    }

    /// <summary>
    /// Full-page screenshots at each width (and the phone in dark mode), for a reviewer; the page
    /// must also fit the phone's width without sideways scrolling.
    /// </summary>
    public async Task CaptureAsync(IPage page, string name)
    {
        Directory.CreateDirectory(HostedPagesFixture.ScreenshotDirectory);
        foreach (var (viewport, width, height, scheme) in Viewports)
        {
            await page.SetViewportSizeAsync(width, height);
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme });
            await page.ScreenshotAsync(new PageScreenshotOptions
            {
                Path = Path.Combine(HostedPagesFixture.ScreenshotDirectory, $"{name}-{viewport}.png"),
                FullPage = true,
            });
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{name} scrolls sideways by {overflow}px at {width}px");
        }

        await page.SetViewportSizeAsync(Viewports[0].Width, Viewports[0].Height);
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
    }

    /// <summary>Writes the console to the test output and fails on any Content-Security-Policy report.</summary>
    public void AssertNoCspViolations() =>
        Assert.DoesNotContain(ConsoleLines(), line => line.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// As <see cref="AssertNoCspViolations"/>, and no script error or console error either, except
    /// the 404 Chromium logs for <c>/favicon.ico</c>, which neither the provider nor the CRM serves.
    /// </summary>
    public void AssertNoConsoleErrors()
    {
        var lines = ConsoleLines();
        Assert.DoesNotContain(lines, line => line.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, line => line.StartsWith("pageerror: ", StringComparison.Ordinal)
            || (line.StartsWith("error: ", StringComparison.Ordinal) && !line.Contains("/favicon.ico:", StringComparison.Ordinal)));
    }

    private List<string> ConsoleLines()
    {
        List<string> lines;
        lock (_console)
        {
            lines = [.. _console];
        }

        foreach (var line in lines)
        {
            output.WriteLine(line);
        }

        return lines;
    }
}
