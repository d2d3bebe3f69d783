using IdentityProvider.Authentication.Sessions;
using System.Net;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Totp;
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

namespace IdentityProvider.Tests.SignIn;

public sealed class SqliteTwoFactorSignInTests : TwoFactorSignInTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresTwoFactorSignInTests(PostgresCluster cluster) : TwoFactorSignInTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>Password plus TOTP on the hosted pages: enrolment, sign-in, recovery codes, lockout, disabling.</summary>
public abstract class TwoFactorSignInTests : IAsyncLifetime
{
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string Password = "correct horse battery staple";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));
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
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private HttpClient NewBrowser() =>
        _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });

    private string CodeAt(string secret, TimeSpan offset = default) => Rfc6238.ComputeCode(Base32.Decode(secret), _time.GetUtcNow() + offset);

    /// <summary>Signs in with the password only (no second factor yet) and enrols TOTP on the Security page.</summary>
    private async Task<(string Secret, IReadOnlyList<string> RecoveryCodes)> EnrolAsync()
    {
        using var browser = NewBrowser();
        var login = await browser.GetPageAsync(LoginModel.Path);
        await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password });
        var security = await browser.GetPageAsync(SecurityModel.Path);
        var started = await HtmlForms.ReadPageAsync(
            await browser.SubmitAsync(security, new Dictionary<string, string> { ["password"] = Password }, "form[action*='StartTotp']"), SecurityModel.Path);
        var secret = started.Document.QuerySelector("#totp-secret")!.TextContent.Replace(" ", "", StringComparison.Ordinal);
        Assert.DoesNotContain("style=", started.Document.QuerySelector(".qr")!.InnerHtml, StringComparison.Ordinal);
        var activated = await HtmlForms.ReadPageAsync(
            await browser.SubmitAsync(started, new Dictionary<string, string> { ["code"] = CodeAt(secret) }, "form[action*='ActivateTotp']"), SecurityModel.Path);
        var codes = activated.Document.QuerySelectorAll("#recovery-codes code").Select(c => c.TextContent).ToList();
        Assert.Equal(10, codes.Count);
        _time.Advance(TimeSpan.FromSeconds(30));
        return (secret, codes);
    }

    /// <summary>Starts an authorization request in a fresh browser and passes the password step.</summary>
    private async Task<(HttpClient Browser, CodeFlow Flow, HttpResponseMessage AfterPassword)> PasswordStepAsync()
    {
        var browser = NewBrowser();
        var flow = new CodeFlow(browser, "crm", Redirect, _secret);
        var authorize = await browser.GetAsync(flow.AuthorizeUrl("openid profile"));
        var location = authorize.Headers.Location!.OriginalString;
        var requestId = QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["request"].ToString();
        var login = await browser.GetPageAsync(LoginModel.Path + "?request=" + requestId);
        var afterPassword = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password });
        return (browser, flow, afterPassword);
    }

    private static async Task<HttpResponseMessage> SubmitCodeAsync(HttpClient browser, string code, string path = SignInSteps.SecondFactorPath)
    {
        var page = await browser.GetPageAsync(path);
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["Code"] = code });
    }

    [Fact]
    public async Task SignsIn_WithPasswordAndCode_AndTheIdTokenSaysOtpAndMfa()
    {
        var (secret, _) = await EnrolAsync();
        var (browser, flow, afterPassword) = await PasswordStepAsync();

        var codePage = await browser.GetPageAsync(afterPassword.Headers.Location!.OriginalString);
        var afterCode = await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["Code"] = CodeAt(secret) });
        var resumed = await browser.GetAsync(afterCode.Headers.Location!.OriginalString);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(flow.CodeFrom(resumed.Headers.Location!.OriginalString)));

        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location!.OriginalString);
        Assert.Equal("one-time-code", codePage.Document.QuerySelector("#code")!.GetAttribute("autocomplete"));
        Assert.Equal("numeric", codePage.Document.QuerySelector("#code")!.GetAttribute("inputmode"));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.AuthorizationCodes.CountAsync(c => c.RedeemedAt == null && c.Amr == "pwd")));
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        Assert.Equal(["pwd", "otp", "mfa"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.Equal("mfa", idToken.GetClaim("acr").Value);
        browser.Dispose();
    }

    [Fact]
    public async Task SatisfiesAStepUpToMfa_WithTheCode()
    {
        var (secret, _) = await EnrolAsync();
        var (browser, _, _) = await PasswordStepAsync();
        await SubmitCodeAsync(browser, CodeAt(secret));
        var flow = new CodeFlow(browser, "crm", Redirect, _secret);

        var stepUp = await browser.GetAsync(flow.AuthorizeUrl("openid profile", ("acr_values", "mfa")));

        Assert.False(string.IsNullOrEmpty(flow.CodeFrom(stepUp.Headers.Location!.OriginalString)));
        browser.Dispose();
    }

    [Fact]
    public async Task AnswersUnmetAuthenticationRequirements_WhenAStepUpToMfaMeetsAPasswordOnlyUser()
    {
        var (browser, flow, afterPassword) = await PasswordStepAsync();
        var resumed = await browser.GetAsync(afterPassword.Headers.Location!.OriginalString);
        var stepUp = await browser.GetAsync(flow.AuthorizeUrl("openid profile", ("acr_values", "mfa")));
        var location = stepUp.Headers.Location!.OriginalString;
        var requestId = QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["request"].ToString();
        var login = await browser.GetPageAsync(LoginModel.Path + "?request=" + requestId);
        var again = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password });

        var answer = await browser.GetAsync(again.Headers.Location!.OriginalString);

        Assert.StartsWith(Redirect, resumed.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.StartsWith(TestLoginStartupFilter.Path, location, StringComparison.Ordinal);
        Assert.Equal("unmet_authentication_requirements", QueryHelpers.ParseQuery(answer.Headers.Location!.Query)["error"].ToString());
        browser.Dispose();
    }

    [Fact]
    public async Task IssuesNoCodeOrSession_AfterThePasswordAlone()
    {
        await EnrolAsync();
        var (browser, flow, _) = await PasswordStepAsync();

        var resume = await browser.GetAsync(flow.AuthorizeUrl("openid profile", ("prompt", "none")));

        Assert.Equal("login_required", QueryHelpers.ParseQuery(resume.Headers.Location!.Query)["error"].ToString());
        Assert.Equal(0, await _factory.WithDbAsync(db => db.AuthorizationCodes.CountAsync()));
        browser.Dispose();
    }

    [Fact]
    public async Task RefusesACodeUsedBefore_WithTheGenericError()
    {
        var (secret, _) = await EnrolAsync();
        var code = CodeAt(secret);
        var (first, _, _) = await PasswordStepAsync();
        Assert.Equal(HttpStatusCode.SeeOther, (await SubmitCodeAsync(first, code)).StatusCode);

        var (second, _, _) = await PasswordStepAsync();
        var replay = await HtmlForms.ReadPageAsync(await SubmitCodeAsync(second, code), SignInSteps.SecondFactorPath);

        Assert.Equal(LoginModel.GenericError, replay.Document.QuerySelector("#code-error")!.TextContent);
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public async Task AcceptsOneCodeInTwoParallelSessions_ExactlyOnce()
    {
        var (secret, _) = await EnrolAsync();
        var (a, _, _) = await PasswordStepAsync();
        var (b, _, _) = await PasswordStepAsync();
        var code = CodeAt(secret);
        var pageA = await a.GetPageAsync(SignInSteps.SecondFactorPath);
        var pageB = await b.GetPageAsync(SignInSteps.SecondFactorPath);

        var responses = await Task.WhenAll(
            a.SubmitAsync(pageA, new Dictionary<string, string> { ["Code"] = code }),
            b.SubmitAsync(pageB, new Dictionary<string, string> { ["Code"] = code }));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.SeeOther);
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public async Task SignsIn_WithARecoveryCode_OnceEach_AndSaysHowManyRemain()
    {
        var (_, codes) = await EnrolAsync();
        var (browser, flow, _) = await PasswordStepAsync();

        var used = await SubmitCodeAsync(browser, codes[3].ToLowerInvariant(), SignInSteps.SecondFactorPath + "?method=recovery");
        var remaining = await browser.GetPageAsync(used.Headers.Location!.OriginalString);
        var resumed = await browser.GetAsync(remaining.Document.QuerySelector("a.button")!.GetAttribute("href")!);
        var (again, _, _) = await PasswordStepAsync();
        var reuse = await HtmlForms.ReadPageAsync(await SubmitCodeAsync(again, codes[3], SignInSteps.SecondFactorPath + "?method=recovery"), SignInSteps.SecondFactorPath);

        Assert.Equal(RecoveryUsedModel.Path, used.Headers.Location!.OriginalString);
        Assert.Equal("9", remaining.Document.QuerySelector("#remaining")!.TextContent);
        Assert.False(string.IsNullOrEmpty(flow.CodeFrom(resumed.Headers.Location!.OriginalString)));
        Assert.Equal(LoginModel.GenericError, reuse.Document.QuerySelector("#code-error")!.TextContent);
        browser.Dispose();
        again.Dispose();
    }

    [Fact]
    public async Task LocksAfterFiveWrongCodes_EvenWhenThePasswordIsEnteredAgainInBetween()
    {
        var (secret, _) = await EnrolAsync();
        var (first, _, _) = await PasswordStepAsync();
        for (var i = 0; i < 3; i++)
        {
            await SubmitCodeAsync(first, "00000" + i);
        }

        var (second, _, _) = await PasswordStepAsync();
        for (var i = 0; i < 2; i++)
        {
            await SubmitCodeAsync(second, "11111" + i);
        }

        var whileLocked = await SubmitCodeAsync(second, CodeAt(secret));
        var (third, _, passwordWhileLocked) = await PasswordStepAsync();
        _time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(30));
        var (fourth, _, _) = await PasswordStepAsync();
        var afterwards = await SubmitCodeAsync(fourth, CodeAt(secret));

        Assert.Equal(HttpStatusCode.OK, whileLocked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, passwordWhileLocked.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, afterwards.StatusCode);
        foreach (var browser in new[] { first, second, third, fourth })
        {
            browser.Dispose();
        }
    }

    [Fact]
    public async Task EvaluatesAtMostFiveCodes_OfFiftyParallelWrongOnes()
    {
        await EnrolAsync();
        var (browser, _, _) = await PasswordStepAsync();
        var page = await browser.GetPageAsync(SignInSteps.SecondFactorPath);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            browser.SubmitAsync(page, new Dictionary<string, string> { ["Code"] = (100000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture) })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var evaluated = await _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "sign_in.failed" && e.Details!.StartsWith("totp")));
        Assert.InRange(evaluated, 1, 5);
        browser.Dispose();
    }

    [Fact]
    public async Task DisablingRequiresACodeAndConfirmation_AndTellsEveryAdministrator()
    {
        var (secret, _) = await EnrolAsync();
        var (browser, _, _) = await PasswordStepAsync();
        await SubmitCodeAsync(browser, CodeAt(secret));
        _time.Advance(TimeSpan.FromSeconds(30));
        var security = await browser.GetPageAsync(SecurityModel.Path);

        var unconfirmed = await HtmlForms.ReadPageAsync(await browser.SubmitAsync(security,
            new Dictionary<string, string> { ["code"] = CodeAt(secret) }, "form[action*='Disable']"), SecurityModel.Path);
        var wrongCode = await HtmlForms.ReadPageAsync(await browser.SubmitAsync(security,
            new Dictionary<string, string> { ["code"] = "000000", ["confirm"] = "true" }, "form[action*='Disable']"), SecurityModel.Path);
        var disabled = await HtmlForms.ReadPageAsync(await browser.SubmitAsync(security,
            new Dictionary<string, string> { ["code"] = CodeAt(secret), ["confirm"] = "true" }, "form[action*='Disable']"), SecurityModel.Path);

        Assert.Contains("Tick the box", unconfirmed.Text, StringComparison.Ordinal);
        Assert.Contains("not accepted", wrongCode.Text, StringComparison.Ordinal);
        Assert.Contains("Two-factor authentication is off", disabled.Text, StringComparison.Ordinal);
        Assert.False(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.TwoFactorEnabled).SingleAsync()));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.RecoveryCodes.CountAsync()));
        Assert.Equal(["root@example.com"], await _factory.WithDbAsync(db => db.EmailOutbox.Select(m => m.To).ToListAsync()));
        Assert.Equal(1, await _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "mfa.disabled" && e.Actor == _alice)));
        browser.Dispose();
    }

    [Fact]
    public async Task RegeneratesRecoveryCodes_OnlyWithACurrentCode_AndTheOldOnesStopWorking()
    {
        var (secret, oldCodes) = await EnrolAsync();
        var (browser, _, _) = await PasswordStepAsync();
        await SubmitCodeAsync(browser, CodeAt(secret));
        _time.Advance(TimeSpan.FromSeconds(30));
        var security = await browser.GetPageAsync(SecurityModel.Path);

        var refused = await HtmlForms.ReadPageAsync(await browser.SubmitAsync(security,
            new Dictionary<string, string> { ["code"] = oldCodes[0] }, "form[action*='RegenerateCodes']"), SecurityModel.Path);
        var regenerated = await HtmlForms.ReadPageAsync(await browser.SubmitAsync(security,
            new Dictionary<string, string> { ["code"] = CodeAt(secret) }, "form[action*='RegenerateCodes']"), SecurityModel.Path);
        var (again, _, _) = await PasswordStepAsync();
        var oldCode = await SubmitCodeAsync(again, oldCodes[1], SignInSteps.SecondFactorPath + "?method=recovery");

        Assert.Contains("not accepted", refused.Text, StringComparison.Ordinal);
        Assert.Equal(10, regenerated.Document.QuerySelectorAll("#recovery-codes code").Length);
        Assert.Equal(HttpStatusCode.OK, oldCode.StatusCode);
        browser.Dispose();
        again.Dispose();
    }

    [Fact]
    public async Task RefusesToStartEnrolment_WithoutTheRightPassword()
    {
        using var browser = NewBrowser();
        await browser.SubmitAsync(await browser.GetPageAsync(LoginModel.Path), new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password });
        var security = await browser.GetPageAsync(SecurityModel.Path);

        var page = await HtmlForms.ReadPageAsync(await browser.SubmitAsync(security,
            new Dictionary<string, string> { ["password"] = "not my password" }, "form[action*='StartTotp']"), SecurityModel.Path);

        Assert.Null(page.Document.QuerySelector("#totp-secret"));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserTotpSecrets.CountAsync()));
    }

    [Fact]
    public async Task NeverLogsSecretsOrCodes()
    {
        var (secret, codes) = await EnrolAsync();
        var (browser, _, _) = await PasswordStepAsync();
        var code = CodeAt(secret);
        await SubmitCodeAsync(browser, code);

        var secrets = new[] { secret, code, Password }.Concat(codes);
        Assert.DoesNotContain(_factory.Logs.Lines, line => secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
        browser.Dispose();
    }
}
