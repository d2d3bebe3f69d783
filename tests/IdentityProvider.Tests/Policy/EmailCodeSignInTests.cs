using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Email;
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

namespace IdentityProvider.Tests.Policy;

public sealed class SqliteEmailCodeSignInTests : EmailCodeSignInTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresEmailCodeSignInTests(PostgresCluster cluster) : EmailCodeSignInTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>
/// The MFA policy's email fallback on the hosted pages: a user who must use MFA and has no
/// authenticator gets a single-use code by email, delivered to a real SMTP server.
/// </summary>
public abstract partial class EmailCodeSignInTests : IAsyncLifetime
{
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string Password = "correct horse battery staple";
    private const string Address = "alice@example.com";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private SmtpSink _sink = null!;
    private IdentityProviderFactory _factory = null!;
    private string _secret = null!;
    private string _alice = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _sink = await SmtpSink.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        await _sink.DisposeAsync();
        _database.Dispose();
    }

    /// <summary>MFA enforced for everyone, the email fallback on unless told otherwise, mail to the sink.</summary>
    private async Task StartAsync(bool emailFallback = true)
    {
        _factory = new IdentityProviderFactory(_database, _time, settings: new Dictionary<string, string>
        {
            ["Mfa:EnforceFor"] = "AllUsers",
            ["Mfa:EmailFallback"] = emailFallback ? "true" : "false",
            ["Email:From:Address"] = "sign-in@idp.example",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = _sink.Port.ToString(CultureInfo.InvariantCulture),
            ["Email:Smtp:Timeout"] = "00:00:10",
            // The tests drain the outbox themselves; the timer must not also fire while they move the clock.
            ["Email:SendInterval"] = "10.00:00:00",
        });
        await using var scope = _factory.Services.CreateAsyncScope();
        _secret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", "profile"],
        }, "test", CancellationToken.None)).NewSecret!;
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser
        {
            UserName = "alice", Email = Address, EmailConfirmed = true, DisplayName = "Alice Example", CreatedAt = _time.GetUtcNow(),
        };
        Assert.True((await users.CreateAsync(alice, Password)).Succeeded);
        _alice = alice.Id;
    }

    private HttpClient NewBrowser() =>
        _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });

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

    /// <summary>Presses "Email me a code" on the code page; returns the page that answers.</summary>
    private static async Task<HtmlPage> AskForCodeAsync(HttpClient browser)
    {
        var page = await browser.GetPageAsync(SignInSteps.SecondFactorPath);
        var response = await browser.SubmitAsync(page, new Dictionary<string, string>(), "#send-email-code-form");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await HtmlForms.ReadPageAsync(response, SignInSteps.SecondFactorPath + "?handler=SendEmailCode");
    }

    /// <summary>Sends what the outbox holds and reads the code out of the newest message the SMTP server received.</summary>
    private async Task<string> ReceiveCodeAsync(int expectedMessages = 1)
    {
        await _factory.Services.GetRequiredService<OutboxEmailDispatcher>().DrainOnceAsync(CancellationToken.None);
        var received = (await _sink.WaitForAsync(expectedMessages))[^1];
        Assert.Equal([Address], received.EnvelopeTo);
        Assert.Equal("Your sign-in code", received.Subject);
        return SixDigits().Match(received.Text!).Value;
    }

    private static async Task<HttpResponseMessage> SubmitEmailCodeAsync(HttpClient browser, string code)
    {
        var page = await browser.GetPageAsync(SignInSteps.SecondFactorPath + "?method=email");
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["Code"] = code }, "#email-code-form");
    }

    private static string WrongCode(string code) =>
        ((int.Parse(code, CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);

    [Fact]
    public async Task SignsIn_WithTheCodeFromTheEmail_AndTheIdTokenSaysPwdOtpMfa()
    {
        await StartAsync();
        var (browser, flow, afterPassword) = await PasswordStepAsync();

        var codePage = await browser.GetPageAsync(afterPassword.Headers.Location!.OriginalString);
        var sentPage = await AskForCodeAsync(browser);
        var code = await ReceiveCodeAsync();
        var afterCode = await browser.SubmitAsync(sentPage, new Dictionary<string, string> { ["Code"] = code }, "#email-code-form");
        var resumed = await browser.GetAsync(afterCode.Headers.Location!.OriginalString);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(flow.CodeFrom(resumed.Headers.Location!.OriginalString)));

        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location!.OriginalString);
        Assert.NotNull(codePage.Form("#send-email-code-form"));
        Assert.Null(codePage.Document.QuerySelector("#code"));
        Assert.Null(codePage.Document.QuerySelector("#email-code"));
        Assert.Contains("a•••@example.com", codePage.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Address, codePage.Text, StringComparison.Ordinal);
        Assert.Null(codePage.Document.QuerySelector($"a[href='{LostDeviceModel.Path}']"));
        Assert.Contains("We sent a code to a•••@example.com", sentPage.Document.QuerySelector("#email-code-status")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(code, sentPage.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, afterCode.StatusCode);
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        Assert.Equal(["pwd", "otp", "mfa"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        var used = await _factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.EmailCodeUsed));
        Assert.Equal(_alice, used.TargetId);
        Assert.Contains("method: email", used.Details, StringComparison.Ordinal);
        Assert.True(await _factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.EmailCodeSent && e.TargetId == _alice)));
        browser.Dispose();
    }

    [Fact]
    public async Task StoresNoCodeInClear_AndLogsNeitherCodeNorHash()
    {
        await StartAsync();
        var (browser, _, _) = await PasswordStepAsync();
        await AskForCodeAsync(browser);
        var code = await ReceiveCodeAsync();
        await SubmitEmailCodeAsync(browser, code);

        // Neither the code table nor, once the message has left, the outbox keeps the code.
        var bodies = await _factory.WithDbAsync(db => db.EmailOutbox.Select(m => m.TextBody + (m.HtmlBody ?? "")).ToListAsync());
        Assert.DoesNotContain(bodies, body => body.Contains(code, StringComparison.Ordinal));
        var row = await _factory.WithDbAsync(db => db.EmailSignInCodes.AsNoTracking().SingleAsync(c => c.UserId == _alice));
        Assert.DoesNotContain(code, row.CodeHash, StringComparison.Ordinal);
        Assert.DoesNotContain(code, row.ProtectedKey, StringComparison.Ordinal);
        Assert.Equal(64, row.CodeHash.Length);
        Assert.NotNull(row.UsedAt);
        Assert.NotEmpty(_factory.Logs.Lines);
        Assert.DoesNotContain(_factory.Logs.Lines, line => line.Contains(code, StringComparison.Ordinal)
            || line.Contains(row.CodeHash, StringComparison.OrdinalIgnoreCase));
        browser.Dispose();
    }

    [Fact]
    public async Task Rejects_TheSameCode_InANewSignIn()
    {
        await StartAsync();
        var (first, _, _) = await PasswordStepAsync();
        await AskForCodeAsync(first);
        var code = await ReceiveCodeAsync();
        Assert.Equal(HttpStatusCode.SeeOther, (await SubmitEmailCodeAsync(first, code)).StatusCode);

        var (second, _, _) = await PasswordStepAsync();
        var again = await SubmitEmailCodeAsync(second, code);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var page = await HtmlForms.ReadPageAsync(again, SignInSteps.SecondFactorPath);
        Assert.Equal(LoginModel.GenericError, page.Document.QuerySelector("#code-error")!.TextContent);
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public async Task Accepts_ExactlyOneOfTwoParallelUsesOfOneCode()
    {
        await StartAsync();
        var (first, _, _) = await PasswordStepAsync();
        var (second, _, _) = await PasswordStepAsync();
        await AskForCodeAsync(first);
        var code = await ReceiveCodeAsync();
        var pages = await Task.WhenAll(
            first.GetPageAsync(SignInSteps.SecondFactorPath + "?method=email"), second.GetPageAsync(SignInSteps.SecondFactorPath + "?method=email"));

        var responses = await Task.WhenAll(
            first.SubmitAsync(pages[0], new Dictionary<string, string> { ["Code"] = code }, "#email-code-form"),
            second.SubmitAsync(pages[1], new Dictionary<string, string> { ["Code"] = code }, "#email-code-form"));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.SeeOther);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public async Task Rejects_ACode_AfterItsTenMinutes()
    {
        await StartAsync();
        var (first, _, _) = await PasswordStepAsync();
        await AskForCodeAsync(first);
        var code = await ReceiveCodeAsync();

        _time.Advance(TimeSpan.FromMinutes(11));
        // The sign-in in progress has expired too; a new one brings the unused, expired code.
        var (second, _, _) = await PasswordStepAsync();
        var response = await SubmitEmailCodeAsync(second, code);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(await _factory.WithDbAsync(db => db.EmailSignInCodes.Where(c => c.UserId == _alice).Select(c => c.UsedAt).SingleAsync()));
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public async Task SendsNothing_WhenAskedAgainWithinAMinute_AndReplacesTheCodeAfterIt()
    {
        await StartAsync();
        var (browser, _, _) = await PasswordStepAsync();
        await AskForCodeAsync(browser);
        var firstCode = await ReceiveCodeAsync();

        _time.Advance(TimeSpan.FromSeconds(30));
        var tooSoon = await AskForCodeAsync(browser);
        var queuedTooSoon = await _factory.WithDbAsync(db => db.EmailOutbox.CountAsync());
        _time.Advance(TimeSpan.FromSeconds(31));
        await AskForCodeAsync(browser);
        var secondCode = await ReceiveCodeAsync(expectedMessages: 2);

        Assert.Contains("wait a while", tooSoon.Document.QuerySelector("#email-code-status")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(1, queuedTooSoon);
        Assert.Equal(2, _sink.Messages.Count);
        // One active code: the first stopped working when the second was sent.
        if (firstCode != secondCode)
        {
            Assert.Equal(HttpStatusCode.OK, (await SubmitEmailCodeAsync(browser, firstCode)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.SeeOther, (await SubmitEmailCodeAsync(browser, secondCode)).StatusCode);
        browser.Dispose();
    }

    [Fact]
    public async Task SendsAtMostFiveCodesAnHour()
    {
        await StartAsync();
        var (browser, _, _) = await PasswordStepAsync();
        for (var i = 0; i < 6; i++)
        {
            await AskForCodeAsync(browser);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(5, await _factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));
        browser.Dispose();
    }

    [Fact]
    public async Task Locks_TheAccount_AfterFiveWrongCodes()
    {
        await StartAsync();
        var (browser, _, _) = await PasswordStepAsync();
        await AskForCodeAsync(browser);
        var code = await ReceiveCodeAsync();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SubmitEmailCodeAsync(browser, WrongCode(code))).StatusCode);
        }

        var withRightCode = await SubmitEmailCodeAsync(browser, code);

        Assert.Equal(HttpStatusCode.OK, withRightCode.StatusCode);
        Assert.True(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.LockoutEnd > _time.GetUtcNow()).SingleAsync()));
        Assert.Equal(5, await _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == AuditActions.SignInFailed && e.TargetId == _alice)));
        browser.Dispose();
    }

    [Fact]
    public async Task Requires_Enrolment_WhenTheFallbackIsOff()
    {
        await StartAsync(emailFallback: false);

        var (browser, _, afterPassword) = await PasswordStepAsync();

        Assert.Equal(SignInSteps.EnrolmentPath, afterPassword.Headers.Location!.OriginalString);
        browser.Dispose();
    }

    [Fact]
    public async Task DoesNotOfferEmail_ToAUserWithAnAuthenticator()
    {
        await StartAsync();
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
            var enrolment = await totp.BeginEnrolmentAsync(_alice, "alice", CancellationToken.None);
            Assert.True(await totp.ActivateAsync(_alice, Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), _time.GetUtcNow()), CancellationToken.None));
        }

        var (browser, _, afterPassword) = await PasswordStepAsync();
        var codePage = await browser.GetPageAsync(afterPassword.Headers.Location!.OriginalString);
        // The button is not there, and posting to its handler anyway sends nothing.
        var token = codePage.Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        var send = await browser.PostAsync(SignInSteps.SecondFactorPath + "?handler=SendEmailCode",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        var answer = await HtmlForms.ReadPageAsync(send, SignInSteps.SecondFactorPath);

        Assert.NotNull(codePage.Document.QuerySelector("#code"));
        Assert.Null(codePage.Form("#send-email-code-form"));
        Assert.Equal(LoginModel.GenericError, answer.Document.QuerySelector("#code-error")!.TextContent);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));
        browser.Dispose();
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
