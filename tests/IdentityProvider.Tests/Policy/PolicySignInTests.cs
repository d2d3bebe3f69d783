using System.Net;
using System.Text.Json;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityProvider.Tests.Policy;

public sealed class SqlitePolicySignInTests : PolicySignInTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresPolicySignInTests(PostgresCluster cluster) : PolicySignInTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>
/// The MFA policy through whole sign-ins on the hosted pages: forced enrolment (organisation, user
/// flag, role), its grace, the global switch, a client's required acr, step-up inside a session,
/// and the account pages' setup banner.
/// </summary>
public abstract class PolicySignInTests : IAsyncLifetime
{
    private const string Origin = IdentityProviderFactory.Issuer;
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string BankRedirect = "https://bank.example.com/signin-oidc";
    private const string Password = "correct horse battery staple";
    private static readonly MfaPolicySettings DefaultSettings = new(true, EnforcementScope.None, [], 0, 0, 0, false);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));
    private readonly SoftwareAuthenticator _authenticator = new();
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private string _crmSecret = null!;
    private string _bankSecret = null!;
    private string _alice = null!;
    private string _bob = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database, _time);
        await using var scope = _factory.Services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
        _crmSecret = (await clients.AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", "profile"],
        }, "test", CancellationToken.None)).NewSecret!;
        _bankSecret = (await clients.AddAsync(new ClientRegistration
        {
            ClientId = "bank", RedirectUris = [BankRedirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", "profile"], RequiredAcr = "mfa",
        }, "test", CancellationToken.None)).NewSecret!;
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", DisplayName = "Alice Example", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(alice, Password)).Succeeded);
        var bob = new ApplicationUser { UserName = "bob", Email = "bob@example.com", DisplayName = "Bob Example", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(bob, Password)).Succeeded);
        (_alice, _bob) = (alice.Id, bob.Id);
    }

    public async Task DisposeAsync()
    {
        _authenticator.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task Requires_Enrolment_OfAnOrganisationMemberWithoutAFactor_BeforeAnyCodeOrSession()
    {
        await OrganisationAsync(requireMfa: true, _alice);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);

        var afterPassword = await PasswordAsync(browser, requestId, "alice");
        var codePage = await browser.GetAsync(SignInSteps.SecondFactorPath);
        var resume = await browser.GetAsync("/connect/authorize/resume?request=" + requestId);
        var account = await browser.GetAsync(SignInCompletion.AccountHome);

        Assert.Equal(SignInSteps.EnrolmentPath, afterPassword.Headers.Location?.OriginalString);
        Assert.Equal(SignInSteps.EnrolmentPath, codePage.Headers.Location?.OriginalString);
        Assert.StartsWith(TestLoginStartupFilter.Path, resume.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, account.StatusCode);
        Assert.StartsWith(LoginModel.Path, account.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.AuthorizationCodes.CountAsync()));
    }

    [Fact]
    public async Task Requires_TheAppSetUpOnTheEnrolmentPage_AndTheIdTokenSaysOtpAndMfa()
    {
        await OrganisationAsync(requireMfa: true, _alice);
        using var browser = NewBrowser();
        var (flow, requestId) = await AuthorizeAsync(browser);
        await PasswordAsync(browser, requestId, "alice");

        var (_, continued) = await EnrolTotpOnTheSetupPageAsync(browser);

        var idToken = await IdTokenAfterAsync(browser, flow, continued);
        Assert.Equal(["pwd", "otp", "mfa"], Amr(idToken));
        Assert.Equal("mfa", idToken.GetClaim("acr").Value);
        Assert.True(await _factory.WithDbAsync(db => db.UserTotpSecrets.AnyAsync(s => s.UserId == _alice && s.ActivatedAt != null)));
    }

    [Fact]
    public async Task Requires_NoSetup_OfAMemberWithoutAFactor_OnceRequireMfaIsTurnedOff()
    {
        var organisation = await OrganisationAsync(requireMfa: true, _alice, _bob);
        await SetRequireMfaAsync(organisation, false);
        using var browser = NewBrowser();
        var (flow, requestId) = await AuthorizeAsync(browser);

        var afterPassword = await PasswordAsync(browser, requestId, "bob");

        var idToken = await IdTokenAfterAsync(browser, flow, afterPassword);
        Assert.Equal(["pwd"], Amr(idToken));
    }

    [Fact]
    public async Task Requires_NoSetup_OfAMemberAlreadyOnTheSetupPage_OnceRequireMfaIsTurnedOff()
    {
        var organisation = await OrganisationAsync(requireMfa: true, _alice);
        using var browser = NewBrowser();
        var (flow, requestId) = await AuthorizeAsync(browser);
        Assert.Equal(SignInSteps.EnrolmentPath, (await PasswordAsync(browser, requestId, "alice")).Headers.Location?.OriginalString);
        await SetRequireMfaAsync(organisation, false);

        var setup = await browser.GetAsync(SignInSteps.EnrolmentPath);

        Assert.Equal(["pwd"], Amr(await IdTokenAfterAsync(browser, flow, setup)));
    }

    [Fact]
    public async Task Requires_TheCode_OfAMemberWhoEnrolled_AfterRequireMfaIsTurnedOff()
    {
        var organisation = await OrganisationAsync(requireMfa: true, _alice);
        using (var enrolling = NewBrowser())
        {
            var (_, enrolRequest) = await AuthorizeAsync(enrolling);
            await PasswordAsync(enrolling, enrolRequest, "alice");
            await EnrolTotpOnTheSetupPageAsync(enrolling);
        }

        await SetRequireMfaAsync(organisation, false);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);
        var afterPassword = await PasswordAsync(browser, requestId, "alice");

        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Requires_NoCode_OfAUserWithTotp_WhileMfaIsOff()
    {
        await EnrolTotpAsync(_alice);
        await SaveSettingsAsync(DefaultSettings with { MfaEnabled = false });
        using var browser = NewBrowser();
        var (flow, requestId) = await AuthorizeAsync(browser);

        var afterPassword = await PasswordAsync(browser, requestId, "alice");

        var idToken = await IdTokenAfterAsync(browser, flow, afterPassword);
        Assert.Equal(["pwd"], Amr(idToken));
        Assert.Null(idToken.Claims.FirstOrDefault(c => c.Type == "acr")?.Value);
    }

    [Fact]
    public async Task Requires_NoCode_OfAUserAlreadyOnTheCodePage_OnceMfaIsTurnedOff()
    {
        await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        var (flow, requestId) = await AuthorizeAsync(browser);
        Assert.Equal(SignInSteps.SecondFactorPath, (await PasswordAsync(browser, requestId, "alice")).Headers.Location?.OriginalString);
        await SaveSettingsAsync(DefaultSettings with { MfaEnabled = false });

        var codePage = await browser.GetAsync(SignInSteps.SecondFactorPath);

        Assert.Equal(["pwd"], Amr(await IdTokenAfterAsync(browser, flow, codePage)));
    }

    [Fact]
    public async Task Rejects_WhenMfaIsOff_EverySetupFormOnTheSecurityPage()
    {
        await SaveSettingsAsync(DefaultSettings with { MfaEnabled = false });
        using var browser = NewBrowser();
        await SignInToTheAccountAsync(browser, "alice");

        var security = await browser.GetPageAsync(SecurityModel.Path);

        Assert.NotNull(security.Document.QuerySelector("#mfa-off"));
        Assert.Null(security.Document.QuerySelector("form[action*='StartTotp']"));
        Assert.Null(security.Document.QuerySelector("#add-passkey-form"));
    }

    [Fact]
    public async Task Rejects_WhenMfaWasTurnedOffMeanwhile_ActivatingAnAppStartedBefore()
    {
        using var browser = NewBrowser();
        await SignInToTheAccountAsync(browser, "alice");
        var security = await browser.GetPageAsync(SecurityModel.Path);
        var started = await HtmlForms.ReadPageAsync(
            await browser.SubmitAsync(security, new Dictionary<string, string> { ["password"] = Password }, "form[action*='StartTotp']"), SecurityModel.Path);
        var secret = started.Document.QuerySelector("#totp-secret")!.TextContent.Replace(" ", "", StringComparison.Ordinal);
        await SaveSettingsAsync(DefaultSettings with { MfaEnabled = false });

        await browser.SubmitAsync(started, new Dictionary<string, string> { ["code"] = CodeAt(secret) }, "form[action*='ActivateTotp']");

        Assert.False(await _factory.WithDbAsync(db => db.UserTotpSecrets.AnyAsync(s => s.UserId == _alice && s.ActivatedAt != null)));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.RecoveryCodes.CountAsync(c => c.UserId == _alice)));
    }

    [Fact]
    public async Task Rejects_WhenMfaWasTurnedOffMeanwhile_RegisteringAPasskeyStartedBefore()
    {
        using var browser = NewBrowser();
        await SignInToTheAccountAsync(browser, "alice");
        var token = TokenOf(await browser.GetPageAsync(SecurityModel.Path));
        var (ceremony, options) = await ChallengeAsync(browser, SecurityModel.Path + "?handler=PasskeyCreationOptions", token, ("name", "Laptop"));
        await SaveSettingsAsync(DefaultSettings with { MfaEnabled = false });

        await PostAsync(browser, SecurityModel.Path + "?handler=RegisterPasskey", token,
            ("ceremony", ceremony), ("credential", _authenticator.CreateAttestation(options, Origin)));

        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserPasskeys.CountAsync(p => p.UserId == _alice)));
    }

    [Fact]
    public async Task Requires_TheCodeAgain_WhenMfaIsTurnedBackOn()
    {
        await EnrolTotpAsync(_alice);
        await SaveSettingsAsync(DefaultSettings with { MfaEnabled = false });
        await SaveSettingsAsync(DefaultSettings);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);

        var afterPassword = await PasswordAsync(browser, requestId, "alice");

        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Requires_Enrolment_OfAUserAnAdministratorFlagged()
    {
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<UserMfaRequirement>().SetAsync(_alice, true, "root", CancellationToken.None));
        }

        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);

        var afterPassword = await PasswordAsync(browser, requestId, "alice");

        Assert.Equal(SignInSteps.EnrolmentPath, afterPassword.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Requires_Enrolment_OfAMemberOfAnEnforcedRole_AndOfNobodyElse()
    {
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole("finance"));
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.AddToRoleAsync((await users.FindByIdAsync(_alice))!, "finance")).Succeeded);
        }

        await SaveSettingsAsync(DefaultSettings with { EnforceFor = EnforcementScope.Roles, EnforcedRoles = ["finance"] });
        using var aliceBrowser = NewBrowser();
        var (_, aliceRequest) = await AuthorizeAsync(aliceBrowser);
        using var bobBrowser = NewBrowser();
        var (_, bobRequest) = await AuthorizeAsync(bobBrowser);

        var alice = await PasswordAsync(aliceBrowser, aliceRequest, "alice");
        var bob = await PasswordAsync(bobBrowser, bobRequest, "bob");

        Assert.Equal(SignInSteps.EnrolmentPath, alice.Headers.Location?.OriginalString);
        Assert.StartsWith("/connect/authorize/resume", bob.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requires_EnrolmentOnTheThirdSignIn_AfterTwoGraceSignInsWerePostponed()
    {
        await OrganisationAsync(requireMfa: true, _alice);
        await SaveSettingsAsync(DefaultSettings with { GraceSignIns = 2 });
        for (var i = 0; i < 2; i++)
        {
            using var postponing = NewBrowser();
            var (flow, request) = await AuthorizeAsync(postponing);
            var toSetup = await PasswordAsync(postponing, request, "alice");
            Assert.Equal(SignInSteps.EnrolmentPath, toSetup.Headers.Location?.OriginalString);
            var setup = await postponing.GetPageAsync(SignInSteps.EnrolmentPath);
            var postponed = await postponing.SubmitAsync(setup, new Dictionary<string, string>(), "#postpone-form");
            Assert.Equal(["pwd"], Amr(await IdTokenAfterAsync(postponing, flow, postponed)));
        }

        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);
        await PasswordAsync(browser, requestId, "alice");
        var third = await browser.GetPageAsync(SignInSteps.EnrolmentPath);
        var refused = await PostAsync(browser, SignInSteps.EnrolmentPath + "?handler=Postpone", TokenOf(third));
        var refusedPage = await HtmlForms.ReadPageAsync(refused, SignInSteps.EnrolmentPath);

        Assert.Null(third.Document.QuerySelector("#postpone-form"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal("Setting up a second factor cannot be postponed any more.", refusedPage.Document.QuerySelector("#setup-error")!.TextContent);
        Assert.Equal(2, await _factory.WithDbAsync(db => db.AuthorizationCodes.CountAsync()));
        Assert.Equal(2, await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.MfaEnrolmentDeferrals).SingleAsync()));
        Assert.Equal(2, await _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditActions.MfaEnrolmentPostponed && e.Actor == _alice)));
    }

    [Fact]
    public async Task Requires_TheCode_OfAUserWithTotp_ForAClientThatRequiresMfa()
    {
        await EnrolTotpAsync(_alice);

        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser, new CodeFlow(browser, "bank", BankRedirect, _bankSecret));

        var afterPassword = await PasswordAsync(browser, requestId, "alice");

        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Rejects_WhenAClientRequiresMfa_APasswordOnlyUser_WithUnmetAuthenticationRequirements()
    {
        using var browser = NewBrowser();
        var flow = new CodeFlow(browser, "bank", BankRedirect, _bankSecret);
        var (_, requestId) = await AuthorizeAsync(browser, flow);

        var afterPassword = await PasswordAsync(browser, requestId, "bob");
        var answer = await browser.GetAsync(afterPassword.Headers.Location!.OriginalString);

        Assert.StartsWith("/connect/authorize/resume", afterPassword.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.StartsWith(BankRedirect, answer.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal("unmet_authentication_requirements", QueryHelpers.ParseQuery(answer.Headers.Location!.Query)["error"].ToString());
        Assert.Equal(0, await _factory.WithDbAsync(db => db.AuthorizationCodes.CountAsync()));
    }

    [Fact]
    public async Task Requires_NoPage_ForAStepUpToMfa_InsideASessionThatHasIt()
    {
        var secret = await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        await SignInWithCodeAsync(browser, secret);
        var flow = new CodeFlow(browser, "crm", Redirect, _crmSecret);

        var stepUp = await browser.GetAsync(flow.AuthorizeUrl("openid profile", ("acr_values", "mfa")));

        Assert.False(string.IsNullOrEmpty(flow.CodeFrom(stepUp.Headers.Location!.OriginalString)));
    }

    [Fact]
    public async Task Requires_OnlyThePasskey_ForAPhishingResistantStepUp_InsideASession()
    {
        using (var registering = NewBrowser())
        {
            await SignInToTheAccountAsync(registering, "alice");
            await AddPasskeyAsync(registering, TokenOf(await registering.GetPageAsync(SecurityModel.Path)));
        }

        var secret = await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        await SignInWithCodeAsync(browser, secret);
        var flow = new CodeFlow(browser, "crm", Redirect, _crmSecret);
        var (_, requestId) = await AuthorizeAsync(browser, flow, ("acr_values", "phr"));

        var login = await browser.GetAsync(LoginModel.Path + "?request=" + requestId);
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);
        var token = TokenOf(codePage);
        var (ceremony, options) = await ChallengeAsync(browser, SignInSteps.SecondFactorPath + "?handler=PasskeyOptions", token);
        var answered = await PostAsync(browser, SignInSteps.SecondFactorPath + "?handler=Passkey", token,
            ("ceremony", ceremony), ("credential", _authenticator.CreateAssertion(options, Origin)));

        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal(SignInSteps.SecondFactorPath, login.Headers.Location?.OriginalString);
        Assert.Null(codePage.Document.QuerySelector("#code"));
        Assert.NotNull(codePage.Document.QuerySelector("#passkey-form"));
        var idToken = await IdTokenAfterAsync(browser, flow, answered);
        Assert.Equal("phr", idToken.GetClaim("acr").Value);
        Assert.Superset(new HashSet<string> { "pwd", "otp", "hwk", "mfa" }, Amr(idToken).ToHashSet());
    }

    [Fact]
    public async Task Rejects_WhenAPhishingResistantDemandCannotBeMet_ASessionOnThePasswordAlone()
    {
        await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser, null, ("acr_values", "phr"));

        var afterPassword = await PasswordAsync(browser, requestId, "alice");
        var plain = await browser.GetAsync(new CodeFlow(browser, "crm", Redirect, _crmSecret).AuthorizeUrl("openid profile"));
        var security = await browser.GetAsync(SecurityModel.Path);

        // Alice's own policy asks for her code at every sign-in: the password alone signs her in
        // neither for another application nor on her account pages.
        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location?.OriginalString);
        Assert.StartsWith(TestLoginStartupFilter.Path, plain.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, security.StatusCode);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.AuthorizationCodes.CountAsync()));
    }

    [Fact]
    public async Task Rejects_WhenAPhishingResistantDemandCannotBeMet_WithUnmetAuthenticationRequirements_AfterTheUsersOwnCode()
    {
        var secret = await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser, null, ("acr_values", "phr"));
        await PasswordAsync(browser, requestId, "alice");
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);

        var afterCode = await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["Code"] = CodeAt(secret) });
        var answer = await browser.GetAsync(afterCode.Headers.Location!.OriginalString);

        Assert.StartsWith(Redirect, answer.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal("unmet_authentication_requirements", QueryHelpers.ParseQuery(answer.Headers.Location!.Query)["error"].ToString());
        Assert.Equal(0, await _factory.WithDbAsync(db => db.AuthorizationCodes.CountAsync()));
    }

    [Fact]
    public async Task Rejects_WhenAClientRequiresPhishingResistantMfa_AUserWithOnlyAnApp_AfterTheirOwnCode()
    {
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
            var added = await clients.AddAsync(new ClientRegistration
            {
                ClientId = "vault", RedirectUris = ["https://vault.example.com/cb"], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", "profile"], RequiredAcr = "phr",
            }, "test", CancellationToken.None);
            Assert.NotNull(added.NewSecret);
        }

        await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser, new CodeFlow(browser, "vault", "https://vault.example.com/cb"));

        var afterPassword = await PasswordAsync(browser, requestId, "alice");

        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.GetAsync(SecurityModel.Path)).StatusCode);
    }

    [Fact]
    public async Task Requires_TheBanner_OnTheAccountPages_OfAUserWithoutAFactor()
    {
        using var browser = NewBrowser();
        await SignInToTheAccountAsync(browser, "alice");

        var account = await browser.GetPageAsync(SignInCompletion.AccountHome);
        var applications = await browser.GetPageAsync("/account/applications");

        Assert.NotNull(account.Document.QuerySelector("#mfa-banner"));
        Assert.NotNull(applications.Document.QuerySelector("#mfa-banner"));
    }

    [Fact]
    public async Task Rejects_WhenTheUserHasEnrolled_TheBanner()
    {
        var secret = await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        await SignInWithCodeAsync(browser, secret);

        var account = await browser.GetPageAsync(SignInCompletion.AccountHome);

        Assert.Null(account.Document.QuerySelector("#mfa-banner"));
    }

    [Fact]
    public async Task Rejects_WhenMfaIsOff_TheBanner()
    {
        await SaveSettingsAsync(DefaultSettings with { MfaEnabled = false });
        using var browser = NewBrowser();
        await SignInToTheAccountAsync(browser, "alice");

        var account = await browser.GetPageAsync(SignInCompletion.AccountHome);

        Assert.Null(account.Document.QuerySelector("#mfa-banner"));
    }

    private HttpClient NewBrowser()
    {
        var browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        browser.DefaultRequestHeaders.Add("Origin", Origin);
        return browser;
    }

    private async Task<string> OrganisationAsync(bool requireMfa, params string[] members)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<OrganisationDirectory>();
        var organisation = (await directory.CreateAsync("Acme", requireMfa, "root", CancellationToken.None))!;
        foreach (var member in members)
        {
            Assert.True(await directory.SetMembershipAsync(member, organisation.Id, "root", CancellationToken.None));
        }

        return organisation.Id;
    }

    private async Task SetRequireMfaAsync(string organisationId, bool requireMfa)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<OrganisationDirectory>().SetRequireMfaAsync(organisationId, requireMfa, "root", CancellationToken.None));
    }

    private async Task SaveSettingsAsync(MfaPolicySettings settings)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<MfaSettingsStore>().SaveAsync(settings, "root", CancellationToken.None));
    }

    /// <summary>An authenticator app set up outside any page; the clock moves past the code used to activate it.</summary>
    private async Task<string> EnrolTotpAsync(string userId)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
        var enrolment = await totp.BeginEnrolmentAsync(userId, userId, CancellationToken.None);
        Assert.True(await totp.ActivateAsync(userId, CodeAt(enrolment.Secret), CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(30));
        return enrolment.Secret;
    }

    /// <summary>On the forced enrolment page: start the app, answer with its first code, continue past the recovery codes.</summary>
    private async Task<(string Secret, HttpResponseMessage Continued)> EnrolTotpOnTheSetupPageAsync(HttpClient browser)
    {
        var setup = await browser.GetPageAsync(SignInSteps.EnrolmentPath);
        var started = await HtmlForms.ReadPageAsync(
            await browser.SubmitAsync(setup, new Dictionary<string, string>(), "form[action*='StartTotp']"), SignInSteps.EnrolmentPath);
        var secret = started.Document.QuerySelector("#totp-secret")!.TextContent.Replace(" ", "", StringComparison.Ordinal);
        var activated = await HtmlForms.ReadPageAsync(
            await browser.SubmitAsync(started, new Dictionary<string, string> { ["code"] = CodeAt(secret) }, "form[action*='ActivateTotp']"), SignInSteps.EnrolmentPath);
        var continued = await browser.SubmitAsync(activated, new Dictionary<string, string>(), "form[action*='Continue']");
        _time.Advance(TimeSpan.FromSeconds(30));
        return (secret, continued);
    }

    private string CodeAt(string secret) => Rfc6238.ComputeCode(Base32.Decode(secret), _time.GetUtcNow());

    private async Task<(CodeFlow Flow, string RequestId)> AuthorizeAsync(HttpClient browser, CodeFlow? flow = null, params (string, string?)[] overrides)
    {
        flow ??= new CodeFlow(browser, "crm", Redirect, _crmSecret);
        var authorize = await browser.GetAsync(flow.AuthorizeUrl("openid profile", overrides));
        var location = authorize.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"authorize answered {(int)authorize.StatusCode}");
        Assert.StartsWith(TestLoginStartupFilter.Path, location, StringComparison.Ordinal);
        return (flow, QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["request"].ToString());
    }

    private static async Task<HttpResponseMessage> PasswordAsync(HttpClient browser, string? requestId, string username)
    {
        var login = await browser.GetPageAsync(LoginModel.Path + (requestId is null ? "" : "?request=" + requestId));
        var response = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = username, ["Password"] = Password }, "form:not(#passkey-form)");
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return response;
    }

    /// <summary>A session without any authorization request: the password alone, nothing requiring more.</summary>
    private static async Task SignInToTheAccountAsync(HttpClient browser, string username) =>
        Assert.Equal(SignInCompletion.AccountHome, (await PasswordAsync(browser, null, username)).Headers.Location?.OriginalString);

    /// <summary>A session of Alice's with password and code, without any authorization request.</summary>
    private async Task SignInWithCodeAsync(HttpClient browser, string secret)
    {
        Assert.Equal(SignInSteps.SecondFactorPath, (await PasswordAsync(browser, null, "alice")).Headers.Location?.OriginalString);
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);
        var signedIn = await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["Code"] = CodeAt(secret) });
        Assert.Equal(SignInCompletion.AccountHome, signedIn.Headers.Location?.OriginalString);
        _time.Advance(TimeSpan.FromSeconds(30));
    }

    private async Task AddPasskeyAsync(HttpClient browser, string token)
    {
        var (ceremony, options) = await ChallengeAsync(browser, SecurityModel.Path + "?handler=PasskeyCreationOptions", token, ("name", "Laptop"));
        var added = await PostAsync(browser, SecurityModel.Path + "?handler=RegisterPasskey", token,
            ("ceremony", ceremony), ("credential", _authenticator.CreateAttestation(options, Origin)));
        Assert.Equal(HttpStatusCode.SeeOther, added.StatusCode);
    }

    private static async Task<JsonWebToken> IdTokenAfterAsync(HttpClient browser, CodeFlow flow, HttpResponseMessage signedIn)
    {
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        var resumed = await browser.GetAsync(signedIn.Headers.Location!.OriginalString);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(flow.CodeFrom(resumed.Headers.Location!.OriginalString)));
        return new JsonWebToken(tokens.GetProperty("id_token").GetString());
    }

    private static IEnumerable<string> Amr(JsonWebToken idToken) => idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value);

    private static string TokenOf(HtmlPage page) =>
        page.Document.QuerySelector("input[name='__RequestVerificationToken']")?.GetAttribute("value")
        ?? throw new InvalidOperationException(page.Url + " has no antiforgery token.");

    private static Task<HttpResponseMessage> PostAsync(HttpClient browser, string path, string token, params (string Name, string Value)[] fields) =>
        browser.PostAsync(path, new FormUrlEncodedContent(
            fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).Append(KeyValuePair.Create("__RequestVerificationToken", token))));

    /// <summary>What the page's script does before calling navigator.credentials: the challenge and its ceremony handle.</summary>
    private static async Task<(string Ceremony, string OptionsJson)> ChallengeAsync(HttpClient browser, string path, string token, params (string Name, string Value)[] fields)
    {
        var response = await PostAsync(browser, path, token, fields);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("ceremony").GetString()!, json.RootElement.GetProperty("options").GetRawText());
    }
}
