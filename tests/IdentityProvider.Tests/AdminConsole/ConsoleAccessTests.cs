using System.Net;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>
/// The gate in front of /admin: a session, a console permission, and two factors for the
/// administrator whatever the users' policy says; a session of one factor steps up in place.
/// </summary>
public sealed class ConsoleAccessTests : IAsyncLifetime
{
    private const string Redirect = ConsoleHost.Redirect;
    private const string Password = ConsoleHost.Password;
    private ConsoleHost _host = null!;

    private FakeTimeProvider _time => _host.Time;

    private IdentityProviderFactory _factory => _host.Factory;

    private string _secret => _host.Secret;

    private string _root => _host.RootId;

    private string _alice => _host.AliceId;

    public async Task InitializeAsync() => _host = await ConsoleHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SendsTheBrowserToSignIn_WithoutASession()
    {
        using var browser = NewBrowser();

        var response = await browser.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(LoginModel.Path, response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Refuses_AUserWithoutAConsolePermission_EvenWithTwoFactors()
    {
        using var browser = await SignedInAsync(_alice, "pwd otp mfa");

        var response = await browser.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var page = await HtmlForms.ReadPageAsync(response, "/admin");
        Assert.Contains("permission", page.Document.QuerySelector("#admin-denied")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.Document.QuerySelector("#mfa-adoption"));
    }

    [Fact]
    public async Task Requires_ASecondFactor_OfAnAdministratorSignedInWithThePasswordAlone_AndStepsUpInPlace()
    {
        var secret = await EnrolTotpAsync(_root);
        using var browser = await SignedInAsync(_root, "pwd");

        var denied = await browser.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        var deniedPage = await HtmlForms.ReadPageAsync(denied, "/admin");
        Assert.NotNull(deniedPage.Document.QuerySelector("form[action='/account/step-up']"));

        var stepUp = await browser.SubmitAsync(deniedPage, new Dictionary<string, string>(), "form[action='/account/step-up']");
        Assert.Equal(SignInSteps.SecondFactorPath, stepUp.Headers.Location?.OriginalString);
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);
        var afterCode = await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["Code"] = Rfc6238.ComputeCode(Base32.Decode(secret), _time.GetUtcNow()) });
        Assert.Equal(SignInCompletion.AccountHome, afterCode.Headers.Location?.OriginalString);

        var console = await browser.GetPageAsync("/admin");
        Assert.NotNull(console.Document.QuerySelector("#mfa-adoption"));
        Assert.Equal("2", console.Document.QuerySelector("#mfa-adoption [data-count='users']")!.TextContent);
        Assert.Equal("1", console.Document.QuerySelector("#mfa-adoption [data-count='totp']")!.TextContent);
    }

    [Fact]
    public async Task Requires_AnAdministratorToSetUpASecondFactor_AtSignIn_EvenWithMfaTurnedOff()
    {
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<MfaSettingsStore>();
            Assert.Empty(await settings.SaveAsync(await settings.GetAsync(CancellationToken.None) with { MfaEnabled = false }, "test", CancellationToken.None));
        }

        using var browser = NewBrowser();
        var login = await browser.GetPageAsync(LoginModel.Path);
        var afterPassword = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "root", ["Password"] = Password });
        var setup = await browser.GetPageAsync(SignInSteps.EnrolmentPath);

        Assert.Equal(SignInSteps.EnrolmentPath, afterPassword.Headers.Location?.OriginalString);
        Assert.Null(setup.Document.QuerySelector("#postpone-form"));
        // Alice, no administrator, is not asked for anything while MFA is off.
        using var other = NewBrowser();
        var aliceLogin = await other.GetPageAsync(LoginModel.Path);
        var aliceIn = await other.SubmitAsync(aliceLogin, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password });
        Assert.Equal(SignInCompletion.AccountHome, aliceIn.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task DrawsAdoptionAndSignInsAsCharts_LinkingToWhatIsBehindEachBar()
    {
        await EnrolTotpAsync(_root);
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var organisations = scope.ServiceProvider.GetRequiredService<OrganisationDirectory>();
            var acme = (await organisations.CreateAsync("Acme", requireMfa: false, "test", CancellationToken.None))!;
            Assert.True(await organisations.SetMembershipAsync(_root, acme.Id, "test", CancellationToken.None));
            Assert.True(await organisations.SetMembershipAsync(_alice, acme.Id, "test", CancellationToken.None));
        }

        // One sign-in through the real pages today (Alice, password only); the test login that gives
        // root a session writes no audit row, so the day counts one.
        using (var alice = NewBrowser())
        {
            var login = await alice.GetPageAsync(LoginModel.Path);
            await alice.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password });
        }

        using var root = await SignedInAsync(_root, "pwd otp mfa");
        var overview = await root.GetPageAsync("/admin");

        var factorLinks = overview.Document.QuerySelectorAll("#chart-by-factor a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(["/admin/users?mfa=totp", "/admin/users?mfa=passkeys", "/admin/users?mfa=none"], factorLinks);
        var acmeBar = overview.Document.QuerySelector("#chart-by-organisation a[data-organisation='Acme']")!;
        Assert.StartsWith("/admin/users?organisation=", acmeBar.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("1 / 2 (50 %)", acmeBar.TextContent, StringComparison.Ordinal);
        var days = overview.Document.QuerySelectorAll("#chart-sign-ins a[data-day]");
        Assert.Equal(IdentityProvider.Pages.Admin.IndexModel.Days, days.Length);
        var today = days.Single(a => a.GetAttribute("data-day") == "2026-11-22");
        Assert.Equal("1", today.GetAttribute("data-total"));
        Assert.Equal("/admin/audit?action=sign_in.succeeded&from=2026-11-22&to=2026-11-22", today.GetAttribute("href"));
    }

    [Fact]
    public async Task LinksToTheConsole_FromMyAccount_ForAdministratorsOnly()
    {
        using var root = await SignedInAsync(_root, "pwd otp mfa");
        using var alice = await SignedInAsync(_alice, "pwd");

        Assert.NotNull((await root.GetPageAsync("/account")).Document.QuerySelector("#admin-link"));
        Assert.Null((await alice.GetPageAsync("/account")).Document.QuerySelector("#admin-link"));
    }

    private HttpClient NewBrowser() => _host.NewBrowser();

    private Task<HttpClient> SignedInAsync(string userId, string amr) => _host.SignedInAsync(userId, amr);

    private async Task<string> EnrolTotpAsync(string userId)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
        var enrolment = await totp.BeginEnrolmentAsync(userId, "root@example.com", CancellationToken.None);
        Assert.True(await totp.ActivateAsync(userId, Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), _time.GetUtcNow()), CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(30));
        return enrolment.Secret;
    }
}
