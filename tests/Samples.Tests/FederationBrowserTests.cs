using System.Net;
using System.Net.Sockets;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Federation;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Samples.Tests;

/// <summary>
/// The hosted pages with two providers at one real upstream (npm <c>oidc-provider</c> 9):
/// <c>corp</c> ("Corp", rule bypass), <c>corp-mfa</c> ("Corp MFA", rule require-local) and
/// <c>corp-amr</c> ("Corp AMR", rule trust-upstream-amr).
/// Each side names the other's address, so the upstream's port is chosen before the provider
/// starts and the upstream starts after it, on that port.
/// </summary>
public sealed class FederationBrowserFixture : HostedPagesFixture
{
    public const string UpstreamClientId = "our-idp";

    public static readonly UpstreamAccount Carol = new("u-carol", "carol") { Email = "carol@corp.example", Name = "Carol Corp" };

    public static readonly UpstreamAccount Erin = new("u-erin", "erin") { Email = "erin@corp.example", Name = "Erin Corp" };

    /// <summary>Signs in at the upstream with a second factor there (its ID token says so).</summary>
    public static readonly UpstreamAccount Frank = new("u-frank", "frank") { Email = "frank@corp.example", Name = "Frank Corp", Amr = ["pwd", "otp", "mfa"] };

    /// <summary>Signs in at the upstream with a password only.</summary>
    public static readonly UpstreamAccount Gina = new("u-gina", "gina") { Email = "gina@corp.example", Name = "Gina Corp", Amr = ["pwd"] };

    private readonly int _upstreamPort = FreePort();

    public UpstreamOidcProvider Upstream { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Upstream = await UpstreamOidcProvider.StartAsync(new UpstreamProviderConfig
        {
            Port = _upstreamPort,
            Clients =
            [
                new UpstreamClient(UpstreamClientId,
                    [Idp.Issuer + FederationPaths.Callback("corp"), Idp.Issuer + FederationPaths.Callback("corp-mfa"), Idp.Issuer + FederationPaths.Callback("corp-amr")]),
            ],
            Accounts = [Carol, Erin, Frank, Gina],
        });
    }

    public override async Task DisposeAsync()
    {
        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    protected override IReadOnlyDictionary<string, string> IdpSettings()
    {
        var settings = new Dictionary<string, string>();
        void Provider(int index, string id, string name, string rule)
        {
            var prefix = $"Federation:Providers:{index}:";
            settings[prefix + "Id"] = id;
            settings[prefix + "DisplayName"] = name;
            settings[prefix + "Issuer"] = $"http://127.0.0.1:{_upstreamPort}";
            settings[prefix + "ClientId"] = UpstreamClientId;
            settings[prefix + "ClientSecret"] = UpstreamClient.DefaultSecret;
            settings[prefix + "MfaRule"] = rule;
        }

        Provider(0, "corp", "Corp", "bypass");
        Provider(1, "corp-mfa", "Corp MFA", "require-local");
        Provider(2, "corp-amr", "Corp AMR", "trust-upstream-amr");
        return settings;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Federated sign-in as a user does it in Debian's Chromium: the CRM sends them to our sign-in
/// page, "Sign in with Corp" takes them to the upstream's own login form, and they come back
/// signed in to the CRM, with our code page in between only where the provider's rule asks.
/// </summary>
public sealed class FederationBrowserTests(FederationBrowserFixture samples, ITestOutputHelper output) : IClassFixture<FederationBrowserFixture>
{
    private readonly HostedPagesJourney _journey = new(samples, output);

    private string WhoAmI => samples.Crm.BaseUrl + "/WhoAmI";

    [Fact]
    public async Task SignsIn_ThroughTheUpstream_UnderBypass_WithoutACodePage_AndTheCrmSeesFed()
    {
        CatchUpWithTheUpstreamsClock();
        var page = await _journey.NewPageAsync();

        await page.GotoAsync(WhoAmI);
        Assert.StartsWith(_journey.Login + "?request=", page.Url, StringComparison.Ordinal);
        await page.ClickAsync("a[data-upstream]:text-is('Sign in with Corp')");
        Assert.StartsWith(samples.Upstream.Issuer + "/", page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=login]", "carol");
        await page.FillAsync("input[name=password]", UpstreamAccount.DefaultPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("Carol Corp", await page.TextContentAsync("#name"));
        Assert.Contains("fed", (await page.TextContentAsync("#amr"))!.Split(' '));
        Assert.DoesNotContain("mfa", (await page.TextContentAsync("#amr"))!.Split(' '));
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task AsksForTheLocalCode_UnderRequireLocal_ThenSignsInToTheCrm()
    {
        CatchUpWithTheUpstreamsClock();
        var secret = await LinkedUserWithAuthenticatorAsync("Erin Example", "corp-mfa", FederationBrowserFixture.Erin.Sub);
        var page = await _journey.NewPageAsync();

        await page.GotoAsync(WhoAmI);
        await page.ClickAsync("a[data-upstream]:text-is('Sign in with Corp MFA')");
        await page.FillAsync("input[name=login]", "erin");
        await page.FillAsync("input[name=password]", UpstreamAccount.DefaultPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        await page.WaitForURLAsync(url => url.StartsWith(samples.Idp.Issuer, StringComparison.Ordinal), Committed);
        Assert.Equal(samples.Idp.Issuer + SignInSteps.SecondFactorPath, page.Url);
        await _journey.SubmitCodeAsync(page, secret);
        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("Erin Example", await page.TextContentAsync("#name"));
        Assert.Equal("fed otp mfa", await page.TextContentAsync("#amr"));
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task TrustsTheUpstreamsAmr_NoCodeAfterAnUpstreamSecondFactor_TheLocalCodeAfterAPasswordOnly()
    {
        CatchUpWithTheUpstreamsClock();
        var page = await _journey.NewPageAsync();
        await SignInAtTheUpstreamAsync(page, "Corp AMR", "frank");
        await page.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("Frank Corp", await page.TextContentAsync("#name"));
        var amr = (await page.TextContentAsync("#amr"))!.Split(' ');
        Assert.Contains("fed", amr);
        Assert.Contains("mfa", amr);
        _journey.AssertNoConsoleErrors();

        var secret = await LinkedUserWithAuthenticatorAsync("Gina Example", "corp-amr", FederationBrowserFixture.Gina.Sub);
        var second = await _journey.NewPageAsync();
        await SignInAtTheUpstreamAsync(second, "Corp AMR", "gina");
        await second.WaitForURLAsync(url => url.StartsWith(samples.Idp.Issuer, StringComparison.Ordinal), Committed);
        Assert.Equal(samples.Idp.Issuer + SignInSteps.SecondFactorPath, second.Url);
        await _journey.SubmitCodeAsync(second, secret);
        await second.WaitForURLAsync(WhoAmI, Committed);
        Assert.Equal("Gina Example", await second.TextContentAsync("#name"));
        Assert.Equal("fed otp mfa", await second.TextContentAsync("#amr"));
        _journey.AssertNoConsoleErrors();
    }

    private async Task SignInAtTheUpstreamAsync(IPage page, string provider, string login)
    {
        await page.GotoAsync(WhoAmI);
        await page.ClickAsync($"a[data-upstream]:text-is('Sign in with {provider}')");
        Assert.StartsWith(samples.Upstream.Issuer + "/", page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", UpstreamAccount.DefaultPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    // The provider's clock stands still unless moved, but the upstream's ID tokens carry the real
    // time, and one issued too far in the provider's future is refused (iat, OIDC Core §3.1.3.7).
    private void CatchUpWithTheUpstreamsClock()
    {
        var behind = DateTimeOffset.UtcNow - samples.Time.GetUtcNow();
        if (behind > TimeSpan.Zero)
        {
            samples.Time.Advance(behind);
        }
    }

    /// <summary>A local user with an authenticator app, linked to an upstream account; returns the app's key.</summary>
    private async Task<string> LinkedUserWithAuthenticatorAsync(string displayName, string provider, string upstreamSubject)
    {
        var user = await samples.CreatePasswordUserAsync(displayName);
        var secret = await samples.WithIdpServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.AddLoginAsync((await users.FindByIdAsync(user.Id))!, new UserLoginInfo(provider, upstreamSubject, provider))).Succeeded);
            var totp = services.GetRequiredService<TotpAuthenticator>();
            var enrolment = await totp.BeginEnrolmentAsync(user.Id, user.UserName, CancellationToken.None);
            Assert.True(await totp.ActivateAsync(user.Id, _journey.CodeNow(enrolment.Secret), CancellationToken.None));
            return enrolment.Secret;
        });
        // Each step's code works once; the sign-in's code is the next step's.
        samples.Time.Advance(TimeSpan.FromSeconds(30));
        return secret;
    }
}
