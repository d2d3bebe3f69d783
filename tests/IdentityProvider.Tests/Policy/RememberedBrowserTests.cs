using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence;
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

public sealed class SqliteRememberedBrowserTests : RememberedBrowserTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRememberedBrowserTests(PostgresCluster cluster) : RememberedBrowserTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>"Don't ask again on this browser for 30 days", end to end on the hosted pages.</summary>
public abstract class RememberedBrowserTests : IAsyncLifetime
{
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string Password = "correct horse battery staple";
    private const string UserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private string _clientSecret = null!;
    private string _alice = null!;
    private string _password = Password;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database, _time, settings: new Dictionary<string, string> { ["Mfa:RememberBrowserDays"] = "30" });
        await using var scope = _factory.Services.CreateAsyncScope();
        _clientSecret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", "profile"],
        }, "test", CancellationToken.None)).NewSecret!;
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(alice, Password)).Succeeded);
        _alice = alice.Id;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task SkipsTheCode_OnTheRememberedBrowserOnly_AndTheSessionSaysPasswordOnly()
    {
        var secret = await EnrolAsync();
        using var browser = NewBrowser();
        var (codePage, afterCode) = await SignInWithCodeAsync(browser, secret, remember: true);
        await SignOutAsync(browser);

        var (flow, again) = await PasswordStepAsync(browser);
        var resumed = await browser.GetAsync(again.Headers.Location!.OriginalString);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(flow.CodeFrom(resumed.Headers.Location!.OriginalString)));
        using var other = NewBrowser();
        var (_, elsewhere) = await PasswordStepAsync(other);

        Assert.Contains("30 days", codePage.Document.QuerySelector("input[name=remember]")!.ParentElement!.TextContent, StringComparison.Ordinal);
        Assert.NotEqual(SignInSteps.SecondFactorPath, again.Headers.Location!.OriginalString);
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        Assert.Equal(["pwd"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.Equal(SignInSteps.SecondFactorPath, elsewhere.Headers.Location!.OriginalString);

        // The cookie holds the token; the table only its SHA-256.
        var cookie = afterCode.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("idp.remember=", StringComparison.Ordinal));
        var value = cookie["idp.remember=".Length..cookie.IndexOf(';', StringComparison.Ordinal)];
        var token = value.Split('.')[1];
        var row = await _factory.WithDbAsync(db => db.RememberedBrowsers.SingleAsync());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token))), row.TokenHash);
        Assert.DoesNotContain(token, string.Join("|", row.Id, row.TokenHash, row.SecurityStamp, row.Description), StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(_time.GetUtcNow().AddDays(30) - TimeSpan.FromSeconds(30), row.ExpiresAt);
    }

    [Fact]
    public async Task RemembersTheBrowser_AfterARecoveryCode()
    {
        var secret = await EnrolAsync();
        IReadOnlyList<string> codes;
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            codes = await scope.ServiceProvider.GetRequiredService<RecoveryCodeService>().GenerateAsync(_alice, CancellationToken.None);
        }

        using var browser = NewBrowser();
        await PasswordStepAsync(browser);
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath + "?method=recovery");
        var used = await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["Code"] = codes[0], ["remember"] = "true" });
        await SignOutAsync(browser);
        var (_, again) = await PasswordStepAsync(browser);

        Assert.Equal(RecoveryUsedModel.Path, used.Headers.Location!.OriginalString);
        Assert.NotEqual(SignInSteps.SecondFactorPath, again.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task AsksForTheCode_WhenTheBoxWasNotTicked()
    {
        var secret = await EnrolAsync();
        using var browser = NewBrowser();
        await SignInWithCodeAsync(browser, secret, remember: false);
        await SignOutAsync(browser);

        var (_, again) = await PasswordStepAsync(browser);

        Assert.Equal(SignInSteps.SecondFactorPath, again.Headers.Location!.OriginalString);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.RememberedBrowsers.CountAsync()));
    }

    [Fact]
    public async Task AsksForTheCode_AfterTheMarkExpired()
    {
        var secret = await EnrolAsync();
        using var browser = NewBrowser();
        await SignInWithCodeAsync(browser, secret, remember: true);
        await SignOutAsync(browser);
        _time.Advance(TimeSpan.FromDays(31));

        var (_, again) = await PasswordStepAsync(browser);

        Assert.Equal(SignInSteps.SecondFactorPath, again.Headers.Location!.OriginalString);
    }

    public static TheoryData<string> Changes => ["recovery codes", "authenticator reset", "password change", "password set anew", "passkey added", "passkey removed"];

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task AsksForTheCode_AfterTheFactorsOrThePasswordChanged(string change)
    {
        var secret = await EnrolAsync();
        using var browser = NewBrowser();
        await SignInWithCodeAsync(browser, secret, remember: true);
        await SignOutAsync(browser);

        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var alice = (await users.FindByIdAsync(_alice))!;
            switch (change)
            {
                case "recovery codes":
                    await services.GetRequiredService<RecoveryCodeService>().GenerateAsync(_alice, CancellationToken.None);
                    break;
                case "authenticator reset":
                    // An administrator's reset, then the user enrols again.
                    await services.GetRequiredService<TotpAuthenticator>().DisableAsync(_alice, "root", CancellationToken.None);
                    break;
                case "password change":
                    _password = "a new password for alice";
                    Assert.True((await users.ChangePasswordAsync(alice, Password, _password)).Succeeded);
                    break;
                case "password set anew":
                    // As an administrator's reset would (the product has no reset tokens).
                    _password = "a password set anew for alice";
                    Assert.True((await users.RemovePasswordAsync(alice)).Succeeded);
                    Assert.True((await users.AddPasswordAsync(alice, _password)).Succeeded);
                    break;
                case "passkey added":
                    await services.GetRequiredService<PasskeyFactorState>().PasskeyAddedAsync(alice, CancellationToken.None);
                    break;
                case "passkey removed":
                    await services.GetRequiredService<PasskeyFactorState>().PasskeyRemovedAsync(alice, "the user themselves", CancellationToken.None);
                    break;
            }
        }

        if (change == "authenticator reset")
        {
            secret = await EnrolAsync();
        }

        var (_, again) = await PasswordStepAsync(browser);

        Assert.Equal(SignInSteps.SecondFactorPath, again.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("max_age", "0")]
    [InlineData("prompt", "login")]
    [InlineData("acr_values", "mfa")]
    public async Task AsksForTheCode_DespiteTheMark_WhenTheApplicationAsksForIt(string parameter, string value)
    {
        var secret = await EnrolAsync();
        using var browser = NewBrowser();
        await SignInWithCodeAsync(browser, secret, remember: true);
        await SignOutAsync(browser);

        var (_, again) = await PasswordStepAsync(browser, (parameter, value));
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);

        Assert.Equal(SignInSteps.SecondFactorPath, again.Headers.Location!.OriginalString);
        // A sign-in the application forced does not offer to skip later ones; a step-up to mfa may.
        Assert.Equal(parameter == "acr_values", codePage.Document.QuerySelector("input[name=remember]") is not null);
    }

    [Fact]
    public async Task OffersNothingAndHonoursNoMark_WhenTheAdministratorTurnsRememberingOff()
    {
        var secret = await EnrolAsync();
        using var browser = NewBrowser();
        await SignInWithCodeAsync(browser, secret, remember: true);
        await SignOutAsync(browser);
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<MfaSettingsStore>();
            var settings = await store.GetAsync(CancellationToken.None);
            Assert.Empty(await store.SaveAsync(settings with { RememberBrowserDays = 0 }, "root", CancellationToken.None));
        }

        var (_, again) = await PasswordStepAsync(browser);
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);

        Assert.Equal(SignInSteps.SecondFactorPath, again.Headers.Location!.OriginalString);
        Assert.Null(codePage.Document.QuerySelector("input[name=remember]"));
    }

    [Fact]
    public async Task ListsTheBrowserOnTheSecurityPage_AndForgettingItAsksForTheCodeAgain()
    {
        var secret = await EnrolAsync();
        using var browser = NewBrowser();
        await SignInWithCodeAsync(browser, secret, remember: true);

        var security = await browser.GetPageAsync(SecurityModel.Path);
        var listed = security.Document.QuerySelectorAll("#remembered-browsers tbody tr");
        var forgot = await browser.SubmitAsync(security, new Dictionary<string, string>(), "form.forget-browser");
        var after = await browser.GetPageAsync(SecurityModel.Path);
        await SignOutAsync(browser);
        var (_, again) = await PasswordStepAsync(browser);

        var row = Assert.Single(listed);
        Assert.Contains("Firefox/140.0", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("this browser", row.TextContent, StringComparison.Ordinal);
        Assert.Equal(SecurityModel.Path, forgot.Headers.Location!.OriginalString);
        Assert.NotNull(after.Document.QuerySelector("#no-remembered-browsers"));
        Assert.Equal(SignInSteps.SecondFactorPath, again.Headers.Location!.OriginalString);
        Assert.Equal(1, await _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "mfa.browser_remembered" && e.Actor == _alice)));
        Assert.Equal(1, await _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "mfa.browser_forgotten" && e.Actor == _alice)));
    }

    [Fact]
    public async Task ForgetsEveryBrowser_WithForgetAll()
    {
        var secret = await EnrolAsync();
        using var first = NewBrowser();
        await SignInWithCodeAsync(first, secret, remember: true);
        using var second = NewBrowser();
        await SignInWithCodeAsync(second, secret, remember: true);

        var security = await second.GetPageAsync(SecurityModel.Path);
        await second.SubmitAsync(security, new Dictionary<string, string>(), "#forget-all-browsers");
        await SignOutAsync(first);
        var (_, again) = await PasswordStepAsync(first);

        Assert.Equal(2, security.Document.QuerySelectorAll("#remembered-browsers tbody tr").Length);
        Assert.Equal(SignInSteps.SecondFactorPath, again.Headers.Location!.OriginalString);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.RememberedBrowsers.CountAsync()));
    }

    [Fact]
    public async Task TheSweeperDeletes_MarksThatExpiredOrWereMadeBeforeTheFactorsChanged()
    {
        var secret = await EnrolAsync();
        using var before = NewBrowser();
        await SignInWithCodeAsync(before, secret, remember: true);
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RecoveryCodeService>().GenerateAsync(_alice, CancellationToken.None);
        }

        using var after = NewBrowser();
        await SignInWithCodeAsync(after, secret, remember: true);
        var stamp = await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.SecurityStamp!).SingleAsync());
        var now = _time.GetUtcNow();
        await _factory.WithDbAsync(db =>
        {
            db.RememberedBrowsers.Add(new RememberedBrowser
            {
                Id = "expired", UserId = _alice, TokenHash = new string('0', 64), SecurityStamp = stamp, Description = "",
                CreatedAt = now.AddDays(-31), ExpiresAt = now.AddSeconds(-1),
            });
            return db.SaveChangesAsync();
        });

        await _factory.Services.GetRequiredService<ExpiredArtefactSweeper>().SweepAsync(CancellationToken.None);

        var left = await _factory.WithDbAsync(db => db.RememberedBrowsers.SingleAsync());
        Assert.NotEqual("expired", left.Id);
        Assert.Equal(stamp, left.SecurityStamp);
    }

    private HttpClient NewBrowser()
    {
        var browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        browser.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        return browser;
    }

    private string CodeAt(string secret) => Rfc6238.ComputeCode(Base32.Decode(secret), _time.GetUtcNow());

    /// <summary>Signs in with the password only (no second factor yet) and enrols TOTP on the Security page.</summary>
    private async Task<string> EnrolAsync()
    {
        using var browser = NewBrowser();
        var login = await browser.GetPageAsync(LoginModel.Path);
        await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = _password });
        var security = await browser.GetPageAsync(SecurityModel.Path);
        var started = await HtmlForms.ReadPageAsync(
            await browser.SubmitAsync(security, new Dictionary<string, string> { ["password"] = _password }, "form[action*='StartTotp']"), SecurityModel.Path);
        var secret = started.Document.QuerySelector("#totp-secret")!.TextContent.Replace(" ", "", StringComparison.Ordinal);
        await browser.SubmitAsync(started, new Dictionary<string, string> { ["code"] = CodeAt(secret) }, "form[action*='ActivateTotp']");
        _time.Advance(TimeSpan.FromSeconds(30));
        return secret;
    }

    /// <summary>Starts an authorization request in <paramref name="browser"/> and passes the password step.</summary>
    private async Task<(CodeFlow Flow, HttpResponseMessage AfterPassword)> PasswordStepAsync(HttpClient browser, params (string Name, string? Value)[] parameters)
    {
        var flow = new CodeFlow(browser, "crm", Redirect, _clientSecret);
        var authorize = await browser.GetAsync(flow.AuthorizeUrl("openid profile", parameters));
        var location = authorize.Headers.Location!.OriginalString;
        var requestId = QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["request"].ToString();
        var login = await browser.GetPageAsync(LoginModel.Path + "?request=" + requestId);
        var afterPassword = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = _password });
        return (flow, afterPassword);
    }

    /// <returns>The code page as shown, and the answer to the code.</returns>
    private async Task<(HtmlPage CodePage, HttpResponseMessage AfterCode)> SignInWithCodeAsync(HttpClient browser, string secret, bool remember)
    {
        var (_, afterPassword) = await PasswordStepAsync(browser);
        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location!.OriginalString);
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);
        var values = new Dictionary<string, string> { ["Code"] = CodeAt(secret) };
        if (remember)
        {
            values["remember"] = "true";
        }

        var afterCode = await browser.SubmitAsync(codePage, values);
        Assert.Equal(System.Net.HttpStatusCode.SeeOther, afterCode.StatusCode);
        _time.Advance(TimeSpan.FromSeconds(30));
        return (codePage, afterCode);
    }

    private static async Task SignOutAsync(HttpClient browser)
    {
        var account = await browser.GetPageAsync("/account");
        await browser.SubmitAsync(account, new Dictionary<string, string>(), "form[action*='SignOut']");
    }
}
