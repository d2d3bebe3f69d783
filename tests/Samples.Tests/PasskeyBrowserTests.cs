using System.Collections.Concurrent;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Pages.Account;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Samples.Tests;

/// <summary>
/// Passkeys on the provider's hosted pages in a real browser: Debian's Chromium with a virtual
/// authenticator per page (DevTools WebAuthn domain), the provider browsed as <c>http://localhost</c>
/// (a secure context, RP ID <c>localhost</c>). Each test registers its passkeys the way a person
/// would, on the Security page or the page an administrator's request leads to.
/// </summary>
public sealed class PasskeyBrowserTests(HostedPagesFixture samples, ITestOutputHelper output) : IClassFixture<HostedPagesFixture>
{
    private readonly HostedPagesJourney _journey = new(samples, output);

    private string WhoAmI => samples.Crm.BaseUrl + "/WhoAmI";

    private string Security => samples.Idp.Issuer + SecurityModel.Path;

    [Fact]
    public async Task SignsIn_WithOnlyAPasskey_RegisteredOnTheSecurityPage()
    {
        var nora = await samples.CreatePasswordUserAsync("Nora Example");
        var page = await _journey.NewPageAsync();
        await VirtualAuthenticator.AddAsync(page);
        await SignInWithPasswordAsync(page, nora);

        await AddPasskeyAsync(page, "Work laptop");
        Assert.Equal(["Work laptop"], await PasskeyNamesAsync(page));
        await _journey.CaptureAsync(page, "8-security-passkey");

        await SignOutAsync(page);
        // Playwright raises Request on its own thread while the test reads the log.
        var requested = new ConcurrentQueue<string>();
        page.Request += (_, request) => requested.Enqueue(request.Url);
        await page.GotoAsync(WhoAmI);
        Assert.StartsWith(_journey.Login + "?request=", page.Url, StringComparison.Ordinal);
        await page.ClickAsync("text=Sign in with a passkey");

        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("Nora Example", await page.TextContentAsync("#name"));
        var amr = (await page.TextContentAsync("#amr"))!.Split(' ');
        Assert.True(amr.Contains("hwk") || amr.Contains("swk"), "amr: " + string.Join(' ', amr));
        Assert.Contains("mfa", amr);
        Assert.DoesNotContain("pwd", amr);
        Assert.Equal("phr", await page.TextContentAsync("#acr"));
        Assert.DoesNotContain(requested, url => url.StartsWith(samples.Idp.Issuer + SignInSteps.SecondFactorPath, StringComparison.Ordinal));
        _journey.AssertNoConsoleErrors();
    }

    /// <summary>
    /// The username field offers the passkey (conditional mediation). The virtual authenticator
    /// picks it at once, where a person would choose it from the suggestions, so arriving at the
    /// login page is enough.
    /// </summary>
    [Fact]
    public async Task SignsIn_WithThePasskeyTheUsernameFieldSuggests()
    {
        var tara = await samples.CreatePasswordUserAsync("Tara Example");
        var page = await _journey.NewPageAsync();
        await VirtualAuthenticator.AddAsync(page, autofill: true);
        await SignInWithPasswordAsync(page, tara);
        await AddPasskeyAsync(page, "Work laptop");
        await SignOutAsync(page);

        await page.GotoAsync(WhoAmI);

        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("Tara Example", await page.TextContentAsync("#name"));
        Assert.Contains("hwk", (await page.TextContentAsync("#amr"))!.Split(' '));
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task CompletesThePasswordSignIn_WithAPasskeyOnTheCodePage()
    {
        var olga = await samples.CreatePasswordUserAsync("Olga Example");
        var page = await _journey.NewPageAsync();
        await VirtualAuthenticator.AddAsync(page);
        await SignInWithPasswordAsync(page, olga);
        await _journey.EnrolAsync(page, olga, capture: false);
        await AddPasskeyAsync(page, "Work laptop");
        await SignOutAsync(page);

        await page.GotoAsync(WhoAmI);
        await _journey.SubmitPasswordAsync(page, olga);
        Assert.Equal(samples.Idp.Issuer + SignInSteps.SecondFactorPath, page.Url);
        await Assertions.Expect(page.Locator("#passkey-form [data-passkey-start]")).ToBeVisibleAsync();
        await _journey.CaptureAsync(page, "9-code-or-passkey");
        await page.ClickAsync("text=Use a passkey");

        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("Olga Example", await page.TextContentAsync("#name"));
        var amr = (await page.TextContentAsync("#amr"))!.Split(' ');
        Assert.Contains("pwd", amr);
        Assert.Contains("hwk", amr);
        Assert.Contains("mfa", amr);
        Assert.DoesNotContain("otp", amr);
        Assert.Equal("phr", await page.TextContentAsync("#acr"));
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task AcceptsTheCode_AfterThePasskeyOnTheCodePageWasRefused()
    {
        var vera = await samples.CreatePasswordUserAsync("Vera Example");
        var page = await _journey.NewPageAsync();
        await VirtualAuthenticator.AddAsync(page);
        await SignInWithPasswordAsync(page, vera);
        var (secret, _) = await _journey.EnrolAsync(page, vera, capture: false);
        await AddPasskeyAsync(page, "Work laptop");
        await SignOutAsync(page);
        await page.GotoAsync(WhoAmI);
        await _journey.SubmitPasswordAsync(page, vera);

        // An answer the server refuses (a ceremony it never started), posted as the script posts one.
        await page.EvaluateAsync("""
            () => {
              const form = document.getElementById('passkey-form');
              form.elements.ceremony.value = 'unknown';
              form.elements.credential.value = '{}';
              form.submit();
            }
            """);
        await page.WaitForURLAsync(url => url.Contains("handler=Passkey", StringComparison.Ordinal), Committed);
        Assert.Equal(PasskeyErrors.Expired, (await page.TextContentAsync("#code-error"))!.Trim());

        await _journey.SubmitCodeAsync(page, secret);

        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("pwd otp mfa", await page.TextContentAsync("#amr"));
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task RequiresAPasskey_AnAdministratorRequested_BeforeTheSignInCompletes()
    {
        var pia = await samples.CreatePasswordUserAsync("Pia Example");
        await samples.WithIdpServicesAsync(services =>
            services.GetRequiredService<PasskeyRequests>().RequestAsync(pia.Id, "admin-id", CancellationToken.None));
        var page = await _journey.NewPageAsync();
        await VirtualAuthenticator.AddAsync(page);

        await page.GotoAsync(WhoAmI);
        await _journey.SubmitPasswordAsync(page, pia);
        Assert.Equal(samples.Idp.Issuer + SignInSteps.PasskeyRequiredPath, page.Url);
        await _journey.CaptureAsync(page, "10-passkey-required");

        // Going back to the CRM without registering does not get Pia in: the sign-in starts over,
        // and the password leads to the same page again.
        await page.GotoAsync(WhoAmI);
        Assert.False(await page.IsVisibleAsync("#name"));
        Assert.StartsWith(_journey.Login + "?request=", page.Url, StringComparison.Ordinal);
        await _journey.SubmitPasswordAsync(page, pia);
        Assert.Equal(samples.Idp.Issuer + SignInSteps.PasskeyRequiredPath, page.Url);

        await page.FillAsync("#passkey-name", "Work laptop");
        await page.ClickAsync("#register-passkey-form button[type=submit]");

        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("Pia Example", await page.TextContentAsync("#name"));
        Assert.Equal("pwd", await page.TextContentAsync("#amr"));
        Assert.Null(await samples.WithIdpServicesAsync(services =>
            services.GetRequiredService<PasskeyRequests>().FindAsync(pia.Id, CancellationToken.None)));
        await page.GotoAsync(Security);
        Assert.Equal(["Work laptop"], await PasskeyNamesAsync(page));
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task RemovesOneOfTwoPasskeys_FromTheSecurityPage()
    {
        var rosa = await samples.CreatePasswordUserAsync("Rosa Example");
        var page = await _journey.NewPageAsync();
        await SignInWithPasswordAsync(page, rosa);

        // Each passkey on its own device: the server lists the first as excluded for the second
        // registration, so the first authenticator is taken away before the second is added.
        var laptop = await VirtualAuthenticator.AddAsync(page);
        await AddPasskeyAsync(page, "Work laptop");
        await laptop.RemoveAsync();
        await VirtualAuthenticator.AddAsync(page);
        await AddPasskeyAsync(page, "Phone");
        Assert.Equal(["Phone", "Work laptop"], (await PasskeyNamesAsync(page)).Order());

        await page.ClickAsync("tr[data-passkey-id]:has(.passkey-name:text-is('Work laptop')) .delete-passkey button[type=submit]");

        await page.WaitForURLAsync(Security, Committed);
        Assert.Equal(["Phone"], await PasskeyNamesAsync(page));
        Assert.Equal("The passkey has been removed.", (await page.TextContentAsync("[role=status]"))!.Trim());
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task RefusesAPasskey_TheServerNoLongerKnows_AndStartsNoSession()
    {
        var sara = await samples.CreatePasswordUserAsync("Sara Example");
        var page = await _journey.NewPageAsync();
        var device = await VirtualAuthenticator.AddAsync(page);
        await SignInWithPasswordAsync(page, sara);
        await AddPasskeyAsync(page, "Work laptop");
        await page.ClickAsync("#passkey-list .delete-passkey button[type=submit]");
        await Assertions.Expect(page.Locator("#no-passkeys")).ToBeVisibleAsync();
        Assert.Single(await device.CredentialIdsAsync());
        await SignOutAsync(page);

        await page.GotoAsync(WhoAmI);
        var login = page.Url;
        await page.ClickAsync("text=Sign in with a passkey");

        await page.WaitForFunctionAsync("() => document.getElementById('login-error').textContent.trim() !== ''");
        Assert.Equal(PasskeyErrors.NotUsable, (await page.TextContentAsync("#login-error"))!.Trim());
        Assert.StartsWith(_journey.Login, page.Url, StringComparison.Ordinal);
        await _journey.CaptureAsync(page, "11-passkey-unknown");

        // No session: the CRM sends the browser back to the sign-in page.
        await page.GotoAsync(WhoAmI);
        Assert.StartsWith(_journey.Login + "?request=", page.Url, StringComparison.Ordinal);
        Assert.NotEqual(login, page.Url);
        Assert.False(await page.IsVisibleAsync("#name"));
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task SignsIn_WithThePassword_AfterAPasskeyWasRefused()
    {
        var uma = await samples.CreatePasswordUserAsync("Uma Example");
        var page = await _journey.NewPageAsync();
        await VirtualAuthenticator.AddAsync(page);
        await SignInWithPasswordAsync(page, uma);
        await AddPasskeyAsync(page, "Work laptop");
        await page.ClickAsync("#passkey-list .delete-passkey button[type=submit]");
        await SignOutAsync(page);
        await page.GotoAsync(WhoAmI);
        await page.ClickAsync("text=Sign in with a passkey");
        await page.WaitForFunctionAsync("() => document.getElementById('login-error').textContent.trim() !== ''");

        // "Try again, or sign in with your password": the password form on the page that says so.
        await _journey.SubmitPasswordAsync(page, uma);

        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("Uma Example", await page.TextContentAsync("#name"));
        _journey.AssertNoConsoleErrors();
    }

    private async Task SignInWithPasswordAsync(IPage page, PasswordUser user)
    {
        await page.GotoAsync(WhoAmI);
        await _journey.SubmitPasswordAsync(page, user);
        await page.WaitForURLAsync(WhoAmI, Committed);
    }

    /// <summary>Adds a passkey on the Security page (the sign-in is recent, so no password is asked).</summary>
    private async Task AddPasskeyAsync(IPage page, string name)
    {
        await page.GotoAsync(Security);
        Assert.False(await page.IsVisibleAsync("#passkey-password"));
        await page.FillAsync("#passkey-name", name);
        await page.ClickAsync("#add-passkey-form button[type=submit]");
        await page.WaitForSelectorAsync($"#passkey-list .passkey-name:text-is('{name}')");
        Assert.Equal("Your passkey has been added. You can now sign in with it.", (await page.TextContentAsync("[role=status]"))!.Trim());
    }

    private static async Task<IReadOnlyList<string>> PasskeyNamesAsync(IPage page) =>
        [.. (await page.Locator("#passkey-list tr[data-passkey-id] .passkey-name").AllTextContentsAsync()).Select(n => n.Trim())];

    private async Task SignOutAsync(IPage page)
    {
        await page.GotoAsync(WhoAmI);
        await page.ClickAsync("#sign-out button");
        await page.WaitForURLAsync(samples.Crm.BaseUrl + "/Goodbye", Committed);
    }
}
