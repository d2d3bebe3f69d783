using System.Net;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.EmailCodes;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Federation;
using IdentityProvider.Federation.Accounts;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityProvider.Tests.Federation;

public sealed class SqliteFederatedSignInTests : FederatedSignInTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresFederatedSignInTests(PostgresCluster cluster) : FederatedSignInTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>
/// The local half of federated sign-in, through a stand-in for the upstream callback and the real
/// pages, cookies, policy and database: provisioning, the provider's MFA rule, linking by email,
/// refusals, and the login page's buttons and home-realm routing.
/// </summary>
public abstract class FederatedSignInTests : IAsyncLifetime
{
    private const string Origin = IdentityProviderFactory.Issuer;
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string BankRedirect = "https://bank.example.com/signin-oidc";
    private const string Password = "correct horse battery staple";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));
    private readonly FakeUpstreamProviders _upstreams = new();
    private TestDatabase _database = null!;
    private IdentityProviderFactory _base = null!;
    private WebApplicationFactory<Program> _app = null!;
    private string _crmSecret = null!;
    private string _bankSecret = null!;
    private string _alice = null!;
    private string _root = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _base = new IdentityProviderFactory(_database, _time, settings: new Dictionary<string, string> { ["Interaction:LoginPath"] = LoginModel.Path });
        _app = _base.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
        {
            services.AddSingleton<IUpstreamProviderDirectory>(_upstreams);
            services.AddTransient<IStartupFilter, FederatedCallbackStartupFilter>();
        }));
        await using var scope = _app.Services.CreateAsyncScope();
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
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", EmailConfirmed = true, DisplayName = "Alice Example", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(alice, Password)).Succeeded);
        var root = new ApplicationUser { UserName = "root", Email = "root@example.com", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(root, Password)).Succeeded);
        await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole(Roles.Administrator));
        await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole("sales"));
        Assert.True((await users.AddToRoleAsync(root, Roles.Administrator)).Succeeded);
        (_alice, _root) = (alice.Id, root.Id);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _base.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task Provisions_TheUserAndTheirLogin_OnTheFirstSignIn_AndBypassCompletesWithFed()
    {
        Upstream("corp", FederatedMfaRule.Bypass);
        using var browser = NewBrowser();
        var (flow, requestId) = await AuthorizeAsync(browser);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-100", "carol@corp.example", groups: "sales admin unknown");
        var idToken = await TokensAsync(browser, flow, callback);

        var carol = await DbAsync(db => db.Users.SingleAsync(u => u.Email == "carol@corp.example"));
        Assert.Equal(carol.Id, idToken.Subject);
        Assert.Contains("fed", Amr(idToken));
        Assert.DoesNotContain("mfa", Amr(idToken));
        Assert.True(carol.EmailConfirmed);
        Assert.Null(carol.PasswordHash);
        Assert.Equal("Carol Corp", carol.DisplayName);
        Assert.Equal(1, await DbAsync(db => db.UserLogins.CountAsync(l => l.UserId == carol.Id && l.LoginProvider == "corp" && l.ProviderKey == "u-100")));
        Assert.Equal(["sales"], await DbAsync(db => db.UserRoles.Where(r => r.UserId == carol.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToListAsync()));
        Assert.Equal(1, await AuditCountAsync(AuditActions.FederationUserProvisioned, carol.Id));
    }

    [Fact]
    public async Task Reuses_TheProvisionedUser_OnTheSecondSignIn()
    {
        Upstream("corp", FederatedMfaRule.Bypass);
        string first;
        using (var browser = NewBrowser())
        {
            var (flow, requestId) = await AuthorizeAsync(browser);
            first = (await TokensAsync(browser, flow, await CallbackAsync(browser, requestId, "corp", "u-100", "carol@corp.example"))).Subject;
        }

        using var again = NewBrowser();
        var (secondFlow, secondRequest) = await AuthorizeAsync(again);
        var second = await TokensAsync(again, secondFlow, await CallbackAsync(again, secondRequest, "corp", "u-100", "carol@corp.example"));

        Assert.Equal(first, second.Subject);
        Assert.Equal(1, await DbAsync(db => db.Users.CountAsync(u => u.Email == "carol@corp.example")));
        Assert.Equal(1, await AuditCountAsync(AuditActions.FederationUserProvisioned, first));
    }

    [Fact]
    public async Task Requires_TheLocalCode_UnderRequireLocal_AndTheIdTokenSaysFedOtpMfa()
    {
        Upstream("corp", FederatedMfaRule.RequireLocal);
        await LinkAsync(_alice, "corp", "u-alice");
        var secret = await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        var (flow, requestId) = await AuthorizeAsync(browser);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-alice", "alice@example.com");
        var afterCode = await SubmitCodeAsync(browser, CodeAt(secret));
        var idToken = await TokensAsync(browser, flow, afterCode);

        Assert.Equal(SignInSteps.SecondFactorPath, callback.Headers.Location?.OriginalString);
        Assert.Equal(["fed", "otp", "mfa"], Amr(idToken));
        Assert.Equal("mfa", idToken.GetClaim("acr").Value);
    }

    [Fact]
    public async Task Trusts_AnUpstreamThatShowedMfa_UnderTrustUpstreamAmr_WithoutACode()
    {
        Upstream("corp", FederatedMfaRule.TrustUpstreamAmr);
        await LinkAsync(_alice, "corp", "u-alice");
        await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        var (flow, requestId) = await AuthorizeAsync(browser);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-alice", "alice@example.com", amr: "pwd otp");
        var idToken = await TokensAsync(browser, flow, callback);

        Assert.StartsWith("/connect/authorize/resume", callback.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Contains("fed", Amr(idToken));
        Assert.Contains("mfa", Amr(idToken));
    }

    [Fact]
    public async Task Requires_TheLocalCode_UnderTrustUpstreamAmr_WhenTheUpstreamShowedOneFactor()
    {
        Upstream("corp", FederatedMfaRule.TrustUpstreamAmr);
        await LinkAsync(_alice, "corp", "u-alice");
        await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-alice", "alice@example.com", amr: "pwd");

        Assert.Equal(SignInSteps.SecondFactorPath, callback.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Requires_TheSecondFactor_OfAnAdministrator_EvenUnderBypass()
    {
        Upstream("corp", FederatedMfaRule.Bypass);
        await LinkAsync(_root, "corp", "u-root");
        await EnrolTotpAsync(_root);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-root", "root@example.com");

        Assert.Equal(SignInSteps.SecondFactorPath, callback.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Requires_TheLocalFactor_WhenTheClientRequiresMfa_EvenUnderBypass()
    {
        Upstream("corp", FederatedMfaRule.Bypass);
        await LinkAsync(_alice, "corp", "u-alice");
        var secret = await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        var flow = new CodeFlow(browser, "bank", BankRedirect, _bankSecret);
        var (_, requestId) = await AuthorizeAsync(browser, flow);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-alice", "alice@example.com");
        var idToken = await TokensAsync(browser, flow, await SubmitCodeAsync(browser, CodeAt(secret)));

        Assert.Equal(SignInSteps.SecondFactorPath, callback.Headers.Location?.OriginalString);
        Assert.Equal(["fed", "otp", "mfa"], Amr(idToken));
    }

    [Fact]
    public async Task StepsUp_AFederatedSession_WithItsProvidersRule()
    {
        Upstream("corp", FederatedMfaRule.Bypass);
        await LinkAsync(_alice, "corp", "u-alice");
        await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        await CallbackAsync(browser, null, "corp", "u-alice", "alice@example.com");

        // A local session of a user with an authenticator would be sent to the code page; this one
        // came through a provider whose rule is bypass, so there is nothing to add.
        var account = await browser.GetPageAsync(SignInCompletion.AccountHome);
        var stepUp = await browser.PostAsync("/account/step-up", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = account.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!,
        }));

        Assert.Equal(SignInCompletion.AccountHome, stepUp.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Refuses_AnEmailMatch_WhenTheProviderDoesNotLinkByEmail()
    {
        Upstream("corp", FederatedMfaRule.Bypass, linkByEmail: false);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-alice", "alice@example.com");
        var page = await browser.GetPageAsync(callback.Headers.Location!.OriginalString);

        Assert.StartsWith(FederationRefusals.Path, callback.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(FederationRefusedModel.NotConnectedText, page.Document.QuerySelector("#federation-refused")!.TextContent);
        Assert.Equal(0, await DbAsync(db => db.UserLogins.CountAsync()));
        Assert.Equal(1, await DbAsync(db => db.Users.CountAsync(u => u.Email == "alice@example.com")));
        Assert.Equal(1, await AuditCountAsync(AuditActions.FederationSignInRefused, _alice));
    }

    [Fact]
    public async Task Refuses_AnEmailMatch_WhenTheUpstreamDidNotVerifyTheEmail()
    {
        Upstream("corp", FederatedMfaRule.Bypass, linkByEmail: true);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-alice", "alice@example.com", verified: false);

        Assert.StartsWith(FederationRefusals.PathFor(FederationRefusal.NotConnected, null), callback.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(0, await DbAsync(db => db.UserLogins.CountAsync()));
        Assert.Equal(0, await DbAsync(db => db.FederatedSignInTickets.CountAsync()));
    }

    [Fact]
    public async Task Links_AnEmailMatch_OnlyAfterThePasswordAndTheCode_AndAWrongPasswordCountsTowardLockout()
    {
        Upstream("corp", FederatedMfaRule.Bypass, linkByEmail: true);
        var secret = await EnrolTotpAsync(_alice);
        using var browser = NewBrowser();
        var (flow, requestId) = await AuthorizeAsync(browser);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-alice", "alice@example.com");
        var linkPage = await browser.GetPageAsync(FederationLinkModel.Path);
        var wrong = await HtmlForms.ReadPageAsync(
            await browser.SubmitAsync(linkPage, new Dictionary<string, string> { ["Password"] = "wrong" }, "form:not(#cancel-link)"), FederationLinkModel.Path);
        var failedPasswords = await DbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.AccessFailedCount).SingleAsync());
        var loginsBeforeProof = await DbAsync(db => db.UserLogins.CountAsync());
        var afterPassword = await browser.SubmitAsync(linkPage, new Dictionary<string, string> { ["Password"] = Password }, "form:not(#cancel-link)");
        var loginsBeforeCode = await DbAsync(db => db.UserLogins.CountAsync());
        var idToken = await TokensAsync(browser, flow, await SubmitCodeAsync(browser, CodeAt(secret)));

        Assert.Equal(FederationLinkModel.Path, callback.Headers.Location?.OriginalString);
        Assert.Contains(EmailAddressMask.Mask("alice@example.com"), linkPage.Document.QuerySelector("#link-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(LoginModel.GenericError, wrong.Document.QuerySelector("#link-error")!.TextContent);
        Assert.Equal(1, failedPasswords);
        Assert.Equal(0, loginsBeforeProof);
        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location?.OriginalString);
        Assert.Equal(0, loginsBeforeCode);
        Assert.Equal(_alice, idToken.Subject);
        Assert.Equal(["fed", "pwd", "otp", "mfa"], Amr(idToken));
        Assert.Equal(1, await DbAsync(db => db.UserLogins.CountAsync(l => l.UserId == _alice && l.LoginProvider == "corp" && l.ProviderKey == "u-alice")));
        Assert.Equal(1, await AuditCountAsync(AuditActions.FederationAccountLinked, _alice));
    }

    [Fact]
    public async Task Refuses_AReplayedLink_AfterItCompleted()
    {
        Upstream("corp", FederatedMfaRule.Bypass, linkByEmail: true);
        var secret = await EnrolTotpAsync(_alice);
        var cookies = new System.Net.CookieContainer();
        using var browser = NewBrowser(cookies);
        await CallbackAsync(browser, null, "corp", "u-alice", "alice@example.com");
        var linkPage = await browser.GetPageAsync(FederationLinkModel.Path);
        await browser.SubmitAsync(linkPage, new Dictionary<string, string> { ["Password"] = Password }, "form:not(#cancel-link)");
        var copied = new System.Net.CookieContainer();
        copied.Add(cookies.GetAllCookies());
        var completed = await SubmitCodeAsync(browser, CodeAt(secret));
        _time.Advance(TimeSpan.FromSeconds(30));

        using var replaying = NewBrowser(copied);
        var replayed = await SubmitCodeAsync(replaying, CodeAt(secret));

        Assert.Equal(SignInCompletion.AccountHome, completed.Headers.Location?.OriginalString);
        Assert.StartsWith(FederationRefusals.PathFor(FederationRefusal.Expired, null), replayed.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(1, await DbAsync(db => db.UserLogins.CountAsync()));
        Assert.Equal(1, await AuditCountAsync(AuditActions.FederationAccountLinked, _alice));
        Assert.Equal(1, await AuditCountAsync(AuditActions.FederationSignInRefused, _alice));
    }

    [Fact]
    public async Task Refuses_AnAbandonedLink_AfterItExpired()
    {
        Upstream("corp", FederatedMfaRule.Bypass, linkByEmail: true);
        using var browser = NewBrowser();
        await CallbackAsync(browser, null, "corp", "u-alice", "alice@example.com");
        var linkPage = await browser.GetPageAsync(FederationLinkModel.Path);
        _time.Advance(TimeSpan.FromMinutes(11));

        var late = await browser.SubmitAsync(linkPage, new Dictionary<string, string> { ["Password"] = Password }, "form:not(#cancel-link)");

        Assert.Equal(HttpStatusCode.SeeOther, late.StatusCode);
        Assert.NotEqual(SignInSteps.SecondFactorPath, late.Headers.Location?.OriginalString);
        Assert.Equal(0, await DbAsync(db => db.UserLogins.CountAsync()));
        Assert.Equal(0, await DbAsync(db => db.UserSessions.CountAsync(s => s.UserId == _alice)));
    }

    [Fact]
    public async Task Cancels_ALink_AndNothingCanCompleteItLater()
    {
        Upstream("corp", FederatedMfaRule.Bypass, linkByEmail: true);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);
        await CallbackAsync(browser, requestId, "corp", "u-alice", "alice@example.com");
        var linkPage = await browser.GetPageAsync(FederationLinkModel.Path);

        var cancelled = await browser.SubmitAsync(linkPage, new Dictionary<string, string>(), "#cancel-link");
        var again = await browser.GetAsync(FederationLinkModel.Path);

        Assert.Equal(LoginModel.Path + "?request=" + requestId, cancelled.Headers.Location?.OriginalString);
        Assert.Equal(LoginModel.Path, again.Headers.Location?.OriginalString);
        Assert.Equal(0, await DbAsync(db => db.FederatedSignInTickets.CountAsync()));
        Assert.Equal(0, await DbAsync(db => db.UserLogins.CountAsync()));
        Assert.Equal(1, await AuditCountAsync(AuditActions.FederationLinkCancelled, _alice));
    }

    [Fact]
    public async Task Refuses_AnUnknownUser_WhenProvisioningIsOff()
    {
        Upstream("corp", FederatedMfaRule.Bypass, provision: false);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-200", "dave@corp.example");

        Assert.StartsWith(FederationRefusals.PathFor(FederationRefusal.NotConnected, null), callback.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(0, await DbAsync(db => db.Users.CountAsync(u => u.Email == "dave@corp.example")));
        Assert.Equal(1, await AuditCountAsync(AuditActions.FederationSignInRefused, AuditActors.Anonymous));
    }

    [Fact]
    public async Task Refuses_ADisabledLinkedUser_WithTheGenericError()
    {
        Upstream("corp", FederatedMfaRule.Bypass);
        await LinkAsync(_alice, "corp", "u-alice");
        await DbAsync(db => db.Users.Where(u => u.Id == _alice).ExecuteUpdateAsync(set => set.SetProperty(u => u.DisabledAt, _time.GetUtcNow())));
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);

        var callback = await CallbackAsync(browser, requestId, "corp", "u-alice", "alice@example.com");
        var page = await browser.GetPageAsync(callback.Headers.Location!.OriginalString);

        Assert.StartsWith(FederationRefusals.PathFor(FederationRefusal.Failed, null), callback.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(LoginModel.GenericError, page.Document.QuerySelector("#federation-refused")!.TextContent);
        Assert.Equal(0, await DbAsync(db => db.UserSessions.CountAsync(s => s.UserId == _alice)));
    }

    [Fact]
    public async Task Shows_ASignInButton_ForEachEnabledProvider_Only()
    {
        Upstream("corp", FederatedMfaRule.Bypass);
        Upstream("old", FederatedMfaRule.Bypass, enabled: false);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser);

        var login = await browser.GetPageAsync(LoginModel.Path + "?request=" + requestId);

        var buttons = login.Document.QuerySelectorAll("a[data-upstream]");
        var corp = Assert.Single(buttons);
        Assert.Equal(FederationPaths.Start("corp", requestId), corp.GetAttribute("href"));
        Assert.Equal("Sign in with Corp corp", corp.TextContent);
    }

    [Fact]
    public async Task RoutesALoginHint_InAProvidersDomain_StraightToItsStart()
    {
        Upstream("corp", FederatedMfaRule.Bypass, domains: ["corp.example"]);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser, overrides: ("login_hint", "bob@CORP.example"));

        var login = await browser.GetAsync(LoginModel.Path + "?request=" + requestId);

        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal(FederationPaths.Start("corp", requestId) + "&login_hint=bob%40CORP.example", login.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ShowsTheLoginPage_ForALoginHintInAProvidersDomain_WhenTheRequestAsksToSelectAnAccount()
    {
        Upstream("corp", FederatedMfaRule.Bypass, domains: ["corp.example"]);
        using var browser = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(browser, overrides: [("login_hint", "bob@corp.example"), ("prompt", "select_account")]);

        var login = await browser.GetAsync(LoginModel.Path + "?request=" + requestId);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task Keeps_TheProviderAndTheUpstreamIdToken_WithTheSession()
    {
        Upstream("corp", FederatedMfaRule.Bypass);
        using var browser = NewBrowser();
        await CallbackAsync(browser, null, "corp", "u-100", "carol@corp.example");

        var sessionId = await DbAsync(db => db.UserSessions.Select(s => s.Id).SingleAsync());
        var ticket = await _app.Services.GetRequiredService<DatabaseTicketStore>().RetrieveAsync(sessionId);

        Assert.Equal("corp", ticket!.Principal.FindFirst("idp")?.Value);
        Assert.Equal("upstream-id-token-u-100", ticket.Properties.GetString("idp.id_token"));
        Assert.Equal(0, await DbAsync(db => db.FederatedSignInTickets.CountAsync()));
    }

    [Fact]
    public async Task ListsUsersByLoginMethod_WithTheirProviders_InTheConsole()
    {
        Upstream("corp", FederatedMfaRule.Bypass);
        using (var federated = NewBrowser())
        {
            await CallbackAsync(federated, null, "corp", "u-100", "carol@corp.example");
        }

        var carol = await DbAsync(db => db.Users.Where(u => u.Email == "carol@corp.example").Select(u => u.Id).SingleAsync());
        using var admin = NewBrowser();
        var (_, requestId) = await AuthorizeAsync(admin);
        var login = await admin.GetAsync(TestLoginStartupFilter.Path + "?request=" + requestId + "&user=" + _root + "&amr=pwd+otp+mfa");
        await admin.GetAsync(login.Headers.Location!.OriginalString);

        var byProvider = await admin.GetPageAsync("/admin/users?login=corp");
        var byPassword = await admin.GetPageAsync("/admin/users?login=password");
        var detail = await admin.GetPageAsync("/admin/users/" + carol);

        var row = Assert.Single(byProvider.Document.QuerySelectorAll("#users tbody tr"));
        Assert.Equal(carol, row.GetAttribute("data-user"));
        Assert.Equal("Corp corp", row.QuerySelector("[data-field=login-method]")!.TextContent);
        Assert.DoesNotContain(byPassword.Document.QuerySelectorAll("#users tbody tr"), r => r.GetAttribute("data-user") == carol);
        Assert.Contains(byPassword.Document.QuerySelectorAll("#users tbody tr"), r => r.GetAttribute("data-user") == _alice);
        Assert.Equal("Corp corp", detail.Document.QuerySelector("[data-field=upstream-providers]")!.TextContent);
    }

    private void Upstream(string id, FederatedMfaRule rule, bool provision = true, bool linkByEmail = false, string[]? domains = null, bool enabled = true) =>
        _upstreams.Providers.Add(new UpstreamProvider(id, "Corp " + id, $"https://{id}.example", "our-client", UpstreamClientAuthentication.ClientSecretBasic,
            ["openid", "email"], new UpstreamClaimMapping(), rule, provision, linkByEmail, domains ?? [], enabled));

    private HttpClient NewBrowser(System.Net.CookieContainer? cookies = null) =>
        _app.CreateDefaultClient(new Uri(Origin), new CookieContainerHandler(cookies ?? new System.Net.CookieContainer()));

    private async Task<(CodeFlow Flow, string RequestId)> AuthorizeAsync(HttpClient browser, CodeFlow? flow = null, params (string, string?)[] overrides)
    {
        flow ??= new CodeFlow(browser, "crm", Redirect, _crmSecret);
        var authorize = await browser.GetAsync(flow.AuthorizeUrl("openid profile", overrides));
        var location = authorize.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"authorize answered {(int)authorize.StatusCode}");
        Assert.StartsWith(LoginModel.Path, location, StringComparison.Ordinal);
        return (flow, QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["request"].ToString());
    }

    private static Task<HttpResponseMessage> CallbackAsync(
        HttpClient browser, string? requestId, string provider, string subject, string email, bool verified = true, string amr = "pwd", string groups = "") =>
        browser.GetAsync(QueryHelpers.AddQueryString(FederatedCallbackStartupFilter.Path, new Dictionary<string, string?>
        {
            ["provider"] = provider, ["sub"] = subject, ["email"] = email, ["verified"] = verified ? "true" : "false",
            ["amr"] = amr, ["groups"] = groups, ["name"] = "Carol Corp", ["request"] = requestId,
        }.Where(p => p.Value is not null)));

    /// <summary>Follows a finished sign-in back into the authorization request and redeems the code.</summary>
    private static async Task<JsonWebToken> TokensAsync(HttpClient browser, CodeFlow flow, HttpResponseMessage finished)
    {
        var resume = finished.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"the sign-in answered {(int)finished.StatusCode}");
        Assert.StartsWith("/connect/authorize/resume", resume, StringComparison.Ordinal);
        var back = await browser.GetAsync(resume);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(flow.CodeFrom(back.Headers.Location!.OriginalString)));
        return new JsonWebToken(tokens.GetProperty("id_token").GetString());
    }

    private static async Task<HttpResponseMessage> SubmitCodeAsync(HttpClient browser, string code)
    {
        var page = await browser.GetPageAsync(SignInSteps.SecondFactorPath);
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["Code"] = code });
    }

    private static List<string> Amr(JsonWebToken token) => [.. token.Claims.Where(c => c.Type == "amr").Select(c => c.Value)];

    private async Task LinkAsync(string userId, string provider, string subject)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.True((await users.AddLoginAsync((await users.FindByIdAsync(userId))!, new UserLoginInfo(provider, subject, provider))).Succeeded);
    }

    private async Task<string> EnrolTotpAsync(string userId)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
        var enrolment = await totp.BeginEnrolmentAsync(userId, userId, CancellationToken.None);
        Assert.True(await totp.ActivateAsync(userId, CodeAt(enrolment.Secret), CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(30));
        return enrolment.Secret;
    }

    private string CodeAt(string secret) => Rfc6238.ComputeCode(Base32.Decode(secret), _time.GetUtcNow());

    private Task<int> AuditCountAsync(string action, string actor) =>
        DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == action && e.Actor == actor));

    private async Task<T> DbAsync<T>(Func<IdentityProviderDbContext, Task<T>> query)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<IdentityProviderDbContext>());
    }
}
