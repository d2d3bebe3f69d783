using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Pages.Account;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Primitives;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Samples.Tests;

/// <summary>
/// The MFA policy in a real browser (Debian's Chromium through Playwright) on the provider's
/// hosted pages: an organisation that requires MFA forces its members through enrolment, the
/// global switch turns every second factor off and on again, an application that asks for
/// phishing-resistant MFA gets a passkey on top of a password-and-code session, and the account
/// page nags until a factor is set up. Codes are computed from the key the page shows, at the
/// provider's fake clock. Tests of one class run one after another, so the test that turns the
/// global switch off cannot disturb the others; it turns it back on before it ends.
/// </summary>
public sealed class PolicyBrowserTests(HostedPagesFixture samples, ITestOutputHelper output) : IClassFixture<HostedPagesFixture>
{
    private readonly HostedPagesJourney _journey = new(samples, output);

    private string WhoAmI => samples.Crm.BaseUrl + "/WhoAmI";

    private string Security => samples.Idp.Issuer + SecurityModel.Path;

    private string Enrolment => samples.Idp.Issuer + SignInSteps.EnrolmentPath;

    private string SecondFactor => samples.Idp.Issuer + SignInSteps.SecondFactorPath;

    [Fact]
    public async Task Requires_EnrolmentWithoutAWayAround_ForAMemberOfAnOrganisationThatRequiresMfa()
    {
        var olive = await samples.CreatePasswordUserAsync("Olive Example");
        Assert.True(await samples.WithIdpServicesAsync(async services =>
        {
            var organisations = services.GetRequiredService<OrganisationDirectory>();
            var organisation = await organisations.CreateAsync("Org " + Guid.NewGuid().ToString("N")[..8], requireMfa: true, "test", CancellationToken.None);
            Assert.NotNull(organisation);
            return await organisations.SetMembershipAsync(olive.Id, organisation.Id, "test", CancellationToken.None);
        }));
        var page = await _journey.NewPageAsync();

        await page.GotoAsync(WhoAmI);
        await _journey.SubmitPasswordAsync(page, olive);
        Assert.Equal(Enrolment, page.Url);
        Assert.False(await page.IsVisibleAsync("#postpone-form"));
        await _journey.CaptureAsync(page, "policy-1-enrolment-required");

        // Going back to the CRM without enrolling does not get Olive in: the sign-in starts over,
        // and the password leads to the same page again, still without a way to postpone.
        await page.GotoAsync(WhoAmI);
        Assert.False(await page.IsVisibleAsync("#name"));
        Assert.StartsWith(_journey.Login + "?request=", page.Url, StringComparison.Ordinal);
        await _journey.SubmitPasswordAsync(page, olive);
        Assert.Equal(Enrolment, page.Url);
        Assert.Equal(0, await page.Locator("#postpone-form").CountAsync());

        await page.ClickAsync("form[action*='StartTotp'] button[type=submit]");
        var secret = (await page.TextContentAsync("#totp-secret"))!.Replace(" ", "", StringComparison.Ordinal);
        await Assertions.Expect(page.Locator(".qr svg")).ToBeVisibleAsync();
        await page.FillAsync("#activation-code", _journey.CodeNow(secret));
        await page.ClickAsync("form[action*='ActivateTotp'] button[type=submit]");
        Assert.Equal(10, await page.Locator("#recovery-codes code").CountAsync());
        await _journey.CaptureAsync(page, "policy-2-enrolment-recovery-codes");
        samples.Time.Advance(TimeSpan.FromSeconds(30));
        await page.ClickAsync("form[action*='Continue'] button[type=submit]");

        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("Olive Example", await page.TextContentAsync("#name"));
        Assert.Equal("pwd otp mfa", await page.TextContentAsync("#amr"));
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task AsksNoSecondFactor_AndOffersNoEnrolment_WhileMfaIsOff_AndAsksForTheCodeAgain_WhenItIsBackOn()
    {
        var otto = await samples.CreatePasswordUserAsync("Otto Example");
        var page = await _journey.NewPageAsync();
        await page.GotoAsync(WhoAmI);
        await _journey.SubmitPasswordAsync(page, otto);
        await page.WaitForURLAsync(WhoAmI, Committed);
        var (secret, _) = await _journey.EnrolAsync(page, otto, capture: false);
        await SignOutAsync(page);

        var before = await SettingsAsync();
        try
        {
            Assert.Empty(await SaveSettingsAsync(before with { MfaEnabled = false }));

            await page.GotoAsync(WhoAmI);
            await _journey.SubmitPasswordAsync(page, otto);
            await page.WaitForURLAsync(WhoAmI, Committed);
            Assert.Equal("pwd", await page.TextContentAsync("#amr"));

            await page.GotoAsync(Security);
            Assert.Equal(Security, page.Url);
            await Assertions.Expect(page.Locator("#mfa-off")).ToBeVisibleAsync();
            Assert.Equal(0, await page.Locator("form[action*='StartTotp']").CountAsync());
            Assert.Equal(0, await page.Locator("#add-passkey-form").CountAsync());
            await _journey.CaptureAsync(page, "policy-3-security-mfa-off");
            await SignOutAsync(page);
        }
        finally
        {
            Assert.Empty(await SaveSettingsAsync(before));
        }

        // Back on: Otto's authenticator was kept, and the sign-in asks for its code again.
        await page.GotoAsync(WhoAmI);
        await _journey.SubmitPasswordAsync(page, otto);
        Assert.Equal(SecondFactor, page.Url);
        await _journey.SubmitCodeAsync(page, secret);
        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("pwd otp mfa", await page.TextContentAsync("#amr"));
        _journey.AssertNoConsoleErrors();
    }

    /// <summary>
    /// The CRM never asks for <c>phr</c>, so a second application does, in the same browser: a
    /// client registered for this test, whose callback page only shows that it was reached. The
    /// test redeems the code as that application would.
    /// </summary>
    [Fact]
    public async Task RequiresAPasskey_InsideAPasswordAndCodeSession_WhenAnApplicationAsksForPhishingResistantMfa()
    {
        var pavel = await samples.CreatePasswordUserAsync("Pavel Example");
        await using var app = await CallbackSite.StartAsync();
        var client = new ClientRegistration
        {
            ClientId = "phr-" + Guid.NewGuid().ToString("N")[..8],
            Secret = "phr-tests-secret",
            RedirectUris = [app.RedirectUri],
            GrantTypes = [GrantTypes.AuthorizationCode],
            Scopes = ["openid"],
        };
        await samples.WithIdpServicesAsync(async services =>
        {
            var added = await services.GetRequiredService<ClientManager>().AddOrUpdateAsync(client, "test", CancellationToken.None);
            Assert.True(added.Succeeded, string.Join(" ", added.Errors));
            return added;
        });
        var page = await _journey.NewPageAsync();
        await VirtualAuthenticator.AddAsync(page);
        await page.GotoAsync(WhoAmI);
        await _journey.SubmitPasswordAsync(page, pavel);
        await page.WaitForURLAsync(WhoAmI, Committed);
        var (secret, _) = await _journey.EnrolAsync(page, pavel, capture: false);
        await AddPasskeyAsync(page, "Work laptop");
        await SignOutAsync(page);

        await page.GotoAsync(WhoAmI);
        await _journey.SubmitPasswordAsync(page, pavel);
        await _journey.SubmitCodeAsync(page, secret);
        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("pwd otp mfa", await page.TextContentAsync("#amr"));

        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        await page.GotoAsync(samples.Idp.Issuer + "/connect/authorize?response_type=code&client_id=" + client.ClientId
            + "&scope=openid&state=phr-state&nonce=phr-nonce&acr_values=phr&code_challenge_method=S256&code_challenge=" + challenge
            + "&redirect_uri=" + Uri.EscapeDataString(app.RedirectUri));

        // Straight to the second step: the session's password and code stand, only a passkey is asked.
        Assert.Equal(SecondFactor, page.Url);
        Assert.Equal(0, await page.Locator("#password").CountAsync());
        Assert.Equal(0, await page.Locator("#code").CountAsync());
        Assert.Equal(0, await page.Locator("#send-email-code-form").CountAsync());
        Assert.Equal(0, await page.Locator("text=Use a recovery code instead").CountAsync());
        await Assertions.Expect(page.Locator("#passkey-form [data-passkey-start]")).ToBeVisibleAsync();
        await _journey.CaptureAsync(page, "policy-4-passkey-step-up");
        await page.ClickAsync("text=Use a passkey");

        await page.WaitForURLAsync(url => url.StartsWith(app.RedirectUri + "?", StringComparison.Ordinal), Committed);
        var callback = QueryOf(page.Url);
        Assert.False(callback.ContainsKey("error"), "error: " + callback.GetValueOrDefault("error"));
        Assert.Equal("phr-state", callback["state"]);
        var idToken = await RedeemAsync(client, app.RedirectUri, callback["code"], verifier);
        Assert.Equal("phr", idToken.GetProperty("acr").GetString());
        Assert.Equal("phr-nonce", idToken.GetProperty("nonce").GetString());
        var amr = idToken.GetProperty("amr").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Contains("pwd", amr);
        Assert.Contains("otp", amr);
        Assert.Contains("hwk", amr);
        Assert.Contains("mfa", amr);
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task ShowsTheBanner_OnTheAccountPage_UntilTheUserSetsUpASecondFactor()
    {
        var bea = await samples.CreatePasswordUserAsync("Bea Example");
        var page = await _journey.NewPageAsync();
        await page.GotoAsync(WhoAmI);
        await _journey.SubmitPasswordAsync(page, bea);
        await page.WaitForURLAsync(WhoAmI, Committed);

        await page.GotoAsync(samples.Idp.Issuer + "/account");
        await Assertions.Expect(page.Locator("#mfa-banner")).ToBeVisibleAsync();
        await _journey.CaptureAsync(page, "policy-5-account-banner");

        await _journey.EnrolAsync(page, bea, capture: false);
        await page.GotoAsync(samples.Idp.Issuer + "/account");
        Assert.Equal(0, await page.Locator("#mfa-banner").CountAsync());
        _journey.AssertNoConsoleErrors();
    }

    private Task<MfaPolicySettings> SettingsAsync() =>
        samples.WithIdpServicesAsync(services => services.GetRequiredService<MfaSettingsStore>().GetAsync(CancellationToken.None));

    private Task<IReadOnlyList<string>> SaveSettingsAsync(MfaPolicySettings settings) =>
        samples.WithIdpServicesAsync(services => services.GetRequiredService<MfaSettingsStore>().SaveAsync(settings, "test", CancellationToken.None));

    /// <summary>Redeems the code as the application would (RFC 6749 §4.1.3, RFC 7636 §4.5) and returns the ID token's claims.</summary>
    private async Task<JsonElement> RedeemAsync(ClientRegistration client, string redirectUri, string code, string verifier)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, samples.Idp.Issuer + "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = redirectUri,
                ["code_verifier"] = verifier,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(client.ClientId + ":" + client.Secret)));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var idToken = JsonDocument.Parse(body).RootElement.GetProperty("id_token").GetString()!;
        return JsonDocument.Parse(Base64Url.DecodeFromChars(idToken.Split('.')[1])).RootElement.Clone();
    }

    private static Dictionary<string, string> QueryOf(string url) =>
        new Uri(url).Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => Uri.UnescapeDataString(pair.Length > 1 ? pair[1] : ""));

    /// <summary>Adds a passkey on the Security page (the sign-in is recent, so no password is asked).</summary>
    private async Task AddPasskeyAsync(IPage page, string name)
    {
        await page.GotoAsync(Security);
        await page.FillAsync("#passkey-name", name);
        await page.ClickAsync("#add-passkey-form button[type=submit]");
        await page.WaitForSelectorAsync($"#passkey-list .passkey-name:text-is('{name}')");
    }

    private async Task SignOutAsync(IPage page)
    {
        await page.GotoAsync(WhoAmI);
        await page.ClickAsync("#sign-out button");
        await page.WaitForURLAsync(samples.Crm.BaseUrl + "/Goodbye", Committed);
    }
}
