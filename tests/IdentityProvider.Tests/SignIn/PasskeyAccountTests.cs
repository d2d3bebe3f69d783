using System.Net;
using System.Text.Json;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using static IdentityProvider.Tests.Infrastructure.HostedPasskeys;

namespace IdentityProvider.Tests.SignIn;

public sealed class SqlitePasskeyAccountTests : PasskeyAccountTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresPasskeyAccountTests(PostgresCluster cluster) : PasskeyAccountTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>
/// Passkeys through whole sign-ins and the Security page: what the ID token says, the second step a
/// passkey turns on, an administrator's passkey request that holds the sign-in until it is met, and
/// the rules for adding and removing passkeys.
/// </summary>
public abstract class PasskeyAccountTests : IAsyncLifetime
{
    private const string Origin = IdentityProviderFactory.Issuer;
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string Password = "correct horse battery staple";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));
    private readonly SoftwareAuthenticator _authenticator = new();
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private string _secret = null!;
    private string _alice = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database, _time);
        await using var scope = _factory.Services.CreateAsyncScope();
        _secret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", "profile"],
        }, "test", CancellationToken.None)).NewSecret!;
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", DisplayName = "Alice Example", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(alice, Password)).Succeeded);
        _alice = alice.Id;
        var admin = new ApplicationUser { UserName = "root", Email = "root@example.com", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(admin)).Succeeded);
        await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole(Roles.Administrator));
        Assert.True((await users.AddToRoleAsync(admin, Roles.Administrator)).Succeeded);
    }

    public async Task DisposeAsync()
    {
        _authenticator.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task SignsInWithOnlyAPasskey_AndTheIdTokenSaysHardwareKeyAndMfa()
    {
        await RegisterPasskeyAsync();
        var (browser, flow, requestId) = await StartAuthorizationAsync();

        var token = await TokenOfAsync(browser, LoginModel.Path + "?request=" + requestId);
        var (ceremony, options, _) = await ChallengeAsync(browser, LoginModel.Path + "?handler=PasskeyOptions", token, ("request", requestId));
        var signedIn = await PostAsync(browser, LoginModel.Path + "?handler=Passkey", token,
            ("request", requestId), ("ceremony", ceremony), ("credential", _authenticator.CreateAssertion(options, Origin)));

        var idToken = await IdTokenAfterAsync(browser, flow, signedIn);
        Assert.Equal(["hwk", "user", "pin", "mfa"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.Equal("phr", idToken.GetClaim("acr").Value);
        Assert.NotNull(await _factory.WithDbAsync(db => db.UserPasskeys
            .Where(p => p.UserId == _alice).Select(p => EF.Property<DateTimeOffset?>(p, "LastUsedAt")).SingleAsync()));
        browser.Dispose();
    }

    [Fact]
    public async Task AsksForThePasskey_AfterThePassword_OfAUserWithOnlyAPasskey()
    {
        await RegisterPasskeyAsync();
        var (browser, flow, requestId) = await StartAuthorizationAsync();

        var afterPassword = await SubmitPasswordAsync(browser, requestId);
        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location?.OriginalString);
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);
        // No authenticator app and no recovery codes: the passkey is the only way offered.
        Assert.Null(codePage.Document.QuerySelector("#code"));
        Assert.NotNull(codePage.Document.QuerySelector("#passkey-form [data-passkey-start]"));
        Assert.Null(codePage.Document.QuerySelector("a[href*='method=recovery']"));

        var token = codePage.Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        var (ceremony, options, _) = await ChallengeAsync(browser, SignInSteps.SecondFactorPath + "?handler=PasskeyOptions", token);
        using (var json = JsonDocument.Parse(options))
        {
            // Only Alice's own passkeys may answer the second step.
            Assert.Single(json.RootElement.GetProperty("allowCredentials").EnumerateArray());
        }

        var completed = await PostAsync(browser, SignInSteps.SecondFactorPath + "?handler=Passkey", token,
            ("ceremony", ceremony), ("credential", _authenticator.CreateAssertion(options, Origin)));

        var idToken = await IdTokenAfterAsync(browser, flow, completed);
        Assert.Equal(["pwd", "hwk", "user", "pin", "mfa"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.Equal("phr", idToken.GetClaim("acr").Value);
        browser.Dispose();
    }

    [Fact]
    public async Task HoldsTheSignIn_UntilThePasskeyAnAdministratorRequestedIsRegistered()
    {
        await RequestPasskeyAsync();
        var (browser, flow, requestId) = await StartAuthorizationAsync();

        var afterPassword = await SubmitPasswordAsync(browser, requestId);
        Assert.Equal(SignInSteps.PasskeyRequiredPath, afterPassword.Headers.Location?.OriginalString);
        // No way round it: the sign-in has not started a session, and the code page sends the browser back.
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.GetAsync(SecurityModel.Path)).StatusCode);
        Assert.Equal(SignInSteps.PasskeyRequiredPath, (await browser.GetAsync(SignInSteps.SecondFactorPath)).Headers.Location?.OriginalString);

        var required = await browser.GetPageAsync(SignInSteps.PasskeyRequiredPath);
        var token = required.Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        var (ceremony, options, _) = await ChallengeAsync(browser, SignInSteps.PasskeyRequiredPath + "?handler=PasskeyCreationOptions", token, ("name", "Phone"));
        var registered = await PostAsync(browser, SignInSteps.PasskeyRequiredPath + "?handler=RegisterPasskey", token,
            ("ceremony", ceremony), ("credential", _authenticator.CreateAttestation(options, Origin)));

        var idToken = await IdTokenAfterAsync(browser, flow, registered);
        Assert.Equal(["pwd"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.Equal(("Phone", true, (DateTimeOffset?)null), await _factory.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Id == _alice);
            var passkey = await db.UserPasskeys.SingleAsync(p => p.UserId == _alice);
            return (passkey.Data.Name, user.TwoFactorEnabled, user.PasskeyRequestedAt);
        }));
        browser.Dispose();
    }

    [Fact]
    public async Task RefusesToRegister_ThroughThePasskeyRequiredPage_BeforeTheFactorsAreProven()
    {
        await RequestPasskeyAsync();
        using var browser = NewBrowser();

        Assert.Equal(LoginModel.Path, (await browser.GetAsync(SignInSteps.PasskeyRequiredPath)).Headers.Location?.OriginalString);
        var login = await browser.GetPageAsync(LoginModel.Path);
        var token = login.Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        var response = await PostAsync(browser, SignInSteps.PasskeyRequiredPath + "?handler=PasskeyCreationOptions", token, ("name", "Phone"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.PasskeyCeremonies.CountAsync()));
    }

    [Fact]
    public async Task AsksForThePassword_ToAddAPasskey_WhenTheSignInIsOlderThanFiveMinutes()
    {
        var (browser, token) = await SignedInOnTheSecurityPageAsync();
        _time.Advance(TimeSpan.FromMinutes(6));

        var withoutPassword = await PostAsync(browser, SecurityModel.Path + "?handler=PasskeyCreationOptions", token, ("name", "Laptop"));
        var wrongPassword = await PostAsync(browser, SecurityModel.Path + "?handler=PasskeyCreationOptions", token, ("name", "Laptop"), ("password", "wrong"));
        var rightPassword = await PostAsync(browser, SecurityModel.Path + "?handler=PasskeyCreationOptions", token, ("name", "Laptop"), ("password", Password));

        Assert.Equal(HttpStatusCode.BadRequest, withoutPassword.StatusCode);
        Assert.Contains("Enter your password", await withoutPassword.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongPassword.StatusCode);
        Assert.Contains("not correct", await wrongPassword.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, rightPassword.StatusCode);
        Assert.Equal(1, await _factory.WithDbAsync(db => db.PasskeyCeremonies.CountAsync()));
        browser.Dispose();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a\u0007b")]
    public async Task RefusesAPasskeyName_ThatIsEmptyOrUnprintable(string name)
    {
        var (browser, token) = await SignedInOnTheSecurityPageAsync();

        var response = await PostAsync(browser, SecurityModel.Path + "?handler=PasskeyCreationOptions", token, ("name", name));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.PasskeyCeremonies.CountAsync()));
        browser.Dispose();
    }

    [Fact]
    public async Task ListsRenamesAndRemovesPasskeys_OnTheSecurityPage()
    {
        var (browser, token) = await SignedInOnTheSecurityPageAsync();
        await AddPasskeyAsync(browser, token, "Laptop");
        await AddPasskeyAsync(browser, token, "Phone");

        var page = await browser.GetPageAsync(SecurityModel.Path);
        var rows = page.Document.QuerySelectorAll("#passkey-list tr[data-passkey-id]");
        Assert.Equal(["Laptop", "Phone"], rows.Select(r => r.QuerySelector(".passkey-name")!.TextContent));
        var laptop = rows[0].GetAttribute("data-passkey-id")!;
        var phone = rows[1].GetAttribute("data-passkey-id")!;

        Assert.Equal(HttpStatusCode.SeeOther, (await PostAsync(browser, SecurityModel.Path + "?handler=RenamePasskey", token, ("id", laptop), ("name", "Work laptop"))).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await PostAsync(browser, SecurityModel.Path + "?handler=DeletePasskey", token, ("id", phone))).StatusCode);

        page = await browser.GetPageAsync(SecurityModel.Path);
        Assert.Equal(["Work laptop"], page.Document.QuerySelectorAll("#passkey-list .passkey-name").Select(c => c.TextContent));
        Assert.True(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.TwoFactorEnabled).SingleAsync()));
        var actions = await _factory.WithDbAsync(db => db.AuditEvents.Where(e => e.TargetId == _alice).Select(e => e.Action).ToListAsync());
        Assert.Equal(2, actions.Count(a => a == AuditActions.PasskeyAdded));
        Assert.Contains(AuditActions.PasskeyRenamed, actions);
        Assert.Contains(AuditActions.PasskeyRemoved, actions);
        browser.Dispose();
    }

    [Fact]
    public async Task RemovesTheLastPasskey_OnlyWithThePassword_WhenTheSignInIsOld_AndTellsTheAdministrators()
    {
        var (browser, token) = await SignedInOnTheSecurityPageAsync();
        await AddPasskeyAsync(browser, token, "Laptop");
        var id = (await browser.GetPageAsync(SecurityModel.Path)).Document.QuerySelector("#passkey-list tr[data-passkey-id]")!.GetAttribute("data-passkey-id")!;
        _time.Advance(TimeSpan.FromMinutes(6));

        var refused = await PostAsync(browser, SecurityModel.Path + "?handler=DeletePasskey", token, ("id", id));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(1, await _factory.WithDbAsync(db => db.UserPasskeys.CountAsync(p => p.UserId == _alice)));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));

        var removed = await PostAsync(browser, SecurityModel.Path + "?handler=DeletePasskey", token, ("id", id), ("password", Password));

        Assert.Equal(HttpStatusCode.SeeOther, removed.StatusCode);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserPasskeys.CountAsync(p => p.UserId == _alice)));
        Assert.False(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.TwoFactorEnabled).SingleAsync()));
        Assert.Equal(["root@example.com"], await _factory.WithDbAsync(db => db.EmailOutbox.Select(m => m.To).ToListAsync()));
        browser.Dispose();
    }

    [Fact]
    public async Task KeepsTheSecondStep_WhenTheAuthenticatorAppGoes_ButAPasskeyRemains()
    {
        await RegisterPasskeyAsync();
        await using var scope = _factory.Services.CreateAsyncScope();
        var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
        var enrolment = await totp.BeginEnrolmentAsync(_alice, "alice@example.com", CancellationToken.None);
        Assert.True(await totp.ActivateAsync(_alice, Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), _time.GetUtcNow()), CancellationToken.None));

        await totp.DisableAsync(_alice, _alice, CancellationToken.None);

        Assert.True(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.TwoFactorEnabled).SingleAsync()));
    }

    private HttpClient NewBrowser()
    {
        var browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        browser.DefaultRequestHeaders.Add("Origin", Origin);
        return browser;
    }

    /// <summary>Alice's passkey, registered through the app's own ceremony outside any page.</summary>
    private async Task RegisterPasskeyAsync()
    {
        var (browser, token) = await SignedInOnTheSecurityPageAsync();
        await AddPasskeyAsync(browser, token, "Laptop");
        browser.Dispose();
    }

    private async Task RequestPasskeyAsync()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PasskeyRequests>().RequestAsync(_alice, "root", CancellationToken.None);
    }

    private async Task<(HttpClient Browser, string Token)> SignedInOnTheSecurityPageAsync()
    {
        var browser = NewBrowser();
        var login = await browser.GetPageAsync(LoginModel.Path);
        var signedIn = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password });
        Assert.Equal(SignInCompletion.AccountHome, signedIn.Headers.Location?.OriginalString);
        return (browser, await TokenOfAsync(browser, SecurityModel.Path));
    }

    private async Task AddPasskeyAsync(HttpClient browser, string token, string name)
    {
        var (ceremony, options, _) = await ChallengeAsync(browser, SecurityModel.Path + "?handler=PasskeyCreationOptions", token, ("name", name));
        var added = await PostAsync(browser, SecurityModel.Path + "?handler=RegisterPasskey", token,
            ("ceremony", ceremony), ("credential", _authenticator.CreateAttestation(options, Origin)));
        Assert.Equal(HttpStatusCode.SeeOther, added.StatusCode);
    }

    private async Task<(HttpClient Browser, CodeFlow Flow, string RequestId)> StartAuthorizationAsync()
    {
        var browser = NewBrowser();
        var flow = new CodeFlow(browser, "crm", Redirect, _secret);
        var authorize = await browser.GetAsync(flow.AuthorizeUrl("openid profile"));
        var location = authorize.Headers.Location!.OriginalString;
        return (browser, flow, QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["request"].ToString());
    }

    private static async Task<HttpResponseMessage> SubmitPasswordAsync(HttpClient browser, string requestId)
    {
        var login = await browser.GetPageAsync(LoginModel.Path + "?request=" + requestId);
        return await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password }, "form:not(#passkey-form)");
    }

    private static async Task<JsonWebToken> IdTokenAfterAsync(HttpClient browser, CodeFlow flow, HttpResponseMessage signedIn)
    {
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        var resumed = await browser.GetAsync(signedIn.Headers.Location!.OriginalString);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(flow.CodeFrom(resumed.Headers.Location!.OriginalString)));
        return new JsonWebToken(tokens.GetProperty("id_token").GetString());
    }
}
