using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.SignIn;

public sealed class SqlitePasskeyCeremonyTests : PasskeyCeremonyTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresPasskeyCeremonyTests(PostgresCluster cluster) : PasskeyCeremonyTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>
/// Passkey sign-in on the real login page, answered by <see cref="SoftwareAuthenticator"/>: a valid
/// ceremony signs in, and each ceremony with one thing changed from it is refused on the page,
/// without a session, and audited.
/// </summary>
public abstract class PasskeyCeremonyTests : IAsyncLifetime
{
    private const string Origin = IdentityProviderFactory.Issuer;
    private const string SessionCookie = "idp.session";
    private const string BobsPassword = "correct horse battery staple";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));
    private readonly SoftwareAuthenticator _authenticator = new();
    private TestDatabase _database = null!;
    private IdentityProviderFactory? _factory;
    private string _alice = null!;
    private string _bob = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync() => _database = await CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        _authenticator.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        _database.Dispose();
    }

    private IdentityProviderFactory Factory => _factory ?? throw new InvalidOperationException("Call StartAsync first.");

    /// <summary>
    /// Starts the app with <paramref name="settings"/> and gives Alice one passkey, registered through
    /// the app's own ceremony (which also turns on her two-step sign-in, as it would on the Security page).
    /// </summary>
    private async Task StartAsync(Dictionary<string, string>? settings = null)
    {
        _factory = new IdentityProviderFactory(_database, _time, settings: settings);
        await using var scope = _factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", DisplayName = "Alice Example", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(alice)).Succeeded);
        _alice = alice.Id;

        var passkeys = scope.ServiceProvider.GetRequiredService<PasskeyAuthenticator>();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("localhost");
        http.Request.Headers.Origin = Origin;
        var challenge = await passkeys.BeginRegistrationAsync(alice, "Laptop", http, CancellationToken.None);
        Assert.NotNull(challenge);
        var registered = await passkeys.CompleteRegistrationAsync(
            alice.Id, challenge.Ceremony, _authenticator.CreateAttestation(challenge.OptionsJson, Origin), http, CancellationToken.None);
        Assert.True(registered.Succeeded, registered.Error);
    }

    private HttpClient NewBrowser()
    {
        var browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        // A browser's fetch() from the login page names the page's origin on every POST.
        browser.DefaultRequestHeaders.Add("Origin", Origin);
        return browser;
    }

    /// <summary>A browser on the login page: its antiforgery token (the cookie stays in the client).</summary>
    private static async Task<string> OpenLoginPageAsync(HttpClient browser)
    {
        var page = await browser.GetPageAsync(LoginModel.Path);
        return page.Document.QuerySelector("input[name='__RequestVerificationToken']")?.GetAttribute("value")
            ?? throw new InvalidOperationException("The login page has no antiforgery token.");
    }

    /// <summary>Asks the login page for a sign-in challenge, as the page's script does before calling navigator.credentials.get.</summary>
    private static async Task<(string Ceremony, string OptionsJson)> RequestOptionsAsync(HttpClient browser, string token)
    {
        var response = await browser.PostAsync(LoginModel.Path + "?handler=PasskeyOptions",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var options = json.RootElement.GetProperty("options");
        return (json.RootElement.GetProperty("ceremony").GetString()!,
            options.ValueKind == JsonValueKind.String ? options.GetString()! : options.GetRawText());
    }

    private static Task<HttpResponseMessage> PostAssertionAsync(HttpClient browser, string token, string ceremony, string credential) =>
        browser.PostAsync(LoginModel.Path + "?handler=Passkey", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["ceremony"] = ceremony,
            ["credential"] = credential,
        }));

    /// <summary>The valid ceremony in a fresh browser, with <paramref name="answer"/> as the authenticator's reply to the options.</summary>
    private async Task<HttpResponseMessage> SignInAsync(Func<string, string>? answer = null)
    {
        using var browser = NewBrowser();
        var token = await OpenLoginPageAsync(browser);
        var (ceremony, options) = await RequestOptionsAsync(browser, token);
        var credential = (answer ?? (o => _authenticator.CreateAssertion(o, Origin)))(options);
        return await PostAssertionAsync(browser, token, ceremony, credential);
    }

    private static bool SetsSession(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
        && cookies.Any(c => c.StartsWith(SessionCookie + "=", StringComparison.Ordinal) && !c.StartsWith(SessionCookie + "=;", StringComparison.Ordinal));

    /// <summary>
    /// Refused: the login page again with <paramref name="message"/>, no session, and the refusal in the
    /// audit trail with a reason containing <paramref name="reason"/> (so the test fails if a ceremony is
    /// refused for something other than the one thing it changed).
    /// </summary>
    private async Task AssertRefusedAsync(HttpResponseMessage response, string message, string reason)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForms.ReadPageAsync(response, LoginModel.Path);
        Assert.Equal(message, page.Document.QuerySelector("#login-error")?.TextContent);
        Assert.False(SetsSession(response));
        var audited = await Factory.WithDbAsync(db => db.AuditEvents
            .Where(e => e.Action == "passkey.sign_in_failed" && e.Outcome == AuditOutcome.Failure)
            .Select(e => e.Details).ToListAsync());
        Assert.Contains(audited, details => details != null && details.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignsIn_WithAUserVerifiedPasskey()
    {
        await StartAsync();

        var response = await SignInAsync();

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.NotEqual(SignInSteps.SecondFactorPath, response.Headers.Location?.OriginalString);
        Assert.True(SetsSession(response));
        Assert.False(await Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "passkey.sign_in_failed")));
    }

    [Fact]
    public async Task SignsIn_WithoutTheUvFlag_WhenThePolicyNeedsNoSecondFactor_AndVerificationIsPreferred()
    {
        // With MFA turned off, possession of the passkey is enough.
        await StartAsync(new Dictionary<string, string> { ["Mfa:Enabled"] = "false" });
        _authenticator.UserVerified = false;

        var response = await SignInAsync();

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.True(SetsSession(response));
    }

    [Fact]
    public async Task Rejects_WhenTheAssertionComesFromAnotherOrigin()
    {
        await StartAsync();

        var response = await SignInAsync(o => _authenticator.CreateAssertion(o, "https://evil.example"));

        await AssertRefusedAsync(response, PasskeyErrors.WrongSite, "invalid origin");
    }

    [Fact]
    public async Task Rejects_WhenTheRpIdHashIsForAnotherDomain()
    {
        await StartAsync();

        var response = await SignInAsync(o => _authenticator.CreateAssertion(o, Origin, rpId: "evil.example"));

        await AssertRefusedAsync(response, PasskeyErrors.WrongSite, "Relying Party ID hash");
    }

    [Fact]
    public async Task Rejects_WhenTheSameCeremonyAndAssertionArePostedTwice()
    {
        await StartAsync();
        using var first = NewBrowser();
        var token = await OpenLoginPageAsync(first);
        var (ceremony, options) = await RequestOptionsAsync(first, token);
        var assertion = _authenticator.CreateAssertion(options, Origin);
        Assert.Equal(HttpStatusCode.SeeOther, (await PostAssertionAsync(first, token, ceremony, assertion)).StatusCode);
        using var second = NewBrowser();

        var replay = await PostAssertionAsync(second, await OpenLoginPageAsync(second), ceremony, assertion);

        await AssertRefusedAsync(replay, PasskeyErrors.Expired, "unknown, expired or used ceremony");
    }

    [Fact]
    public async Task Rejects_WhenTheAssertionAnswersAnotherCeremony()
    {
        await StartAsync();
        using var browser = NewBrowser();
        var token = await OpenLoginPageAsync(browser);
        var (_, recordedOptions) = await RequestOptionsAsync(browser, token);
        var recorded = _authenticator.CreateAssertion(recordedOptions, Origin);
        var (fresh, _) = await RequestOptionsAsync(browser, token);

        var response = await PostAssertionAsync(browser, token, fresh, recorded);

        await AssertRefusedAsync(response, PasskeyErrors.Expired, "challenge");
    }

    [Fact]
    public async Task Rejects_WhenTheSignCountIsLowerThanTheStoredOne()
    {
        await StartAsync();
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(o => _authenticator.CreateAssertion(o, Origin, signCount: 10))).StatusCode);

        var response = await SignInAsync(o => _authenticator.CreateAssertion(o, Origin, signCount: 9));

        await AssertRefusedAsync(response, PasskeyErrors.Replayed, "signature counter");
    }

    [Fact]
    public async Task Rejects_WhenCreationClientDataIsUsedAsAnAssertion()
    {
        await StartAsync();

        var response = await SignInAsync(o => _authenticator.CreateAssertion(o, Origin, clientDataType: SoftwareAuthenticator.CreationType));

        await AssertRefusedAsync(response, PasskeyErrors.NotUsable, "'webauthn.get', got 'webauthn.create'");
    }

    [Fact]
    public async Task Rejects_WhenTheUvFlagIsMissing_ForAUserWithASecondFactor()
    {
        await StartAsync();
        _authenticator.UserVerified = false;

        var response = await SignInAsync();

        await AssertRefusedAsync(response, PasskeyAuthenticator.VerificationRequired, "user verification missing");
    }

    [Fact]
    public async Task Rejects_WhenTheUvFlagIsMissing_AndAnUnsignedCopyWithUvPrecedesTheSignedAuthenticatorData()
    {
        await StartAsync();
        _authenticator.UserVerified = false;

        // JSON allows a repeated name; if the app's own UV check read the first copy while Identity
        // verified the signature over the last, an unsigned UV flag would pass for a second factor.
        var response = await SignInAsync(o => WithForgedUvFirst(_authenticator.CreateAssertion(o, Origin)));

        await AssertRefusedAsync(response, PasskeyAuthenticator.VerificationRequired, "user verification missing");
    }

    [Fact]
    public async Task Rejects_WhenTheUvFlagIsMissing_AndPasskeysRequireUserVerification()
    {
        await StartAsync(new Dictionary<string, string> { ["Passkeys:UserVerification"] = "required" });
        await WithoutSecondFactorAsync();
        _authenticator.UserVerified = false;

        var response = await SignInAsync();

        await AssertRefusedAsync(response, PasskeyAuthenticator.VerificationRequired, "'UserVerified'");
    }

    [Fact]
    public async Task Rejects_WhenTheCeremonyHasExpired()
    {
        await StartAsync();
        using var browser = NewBrowser();
        var token = await OpenLoginPageAsync(browser);
        var (ceremony, options) = await RequestOptionsAsync(browser, token);
        var assertion = _authenticator.CreateAssertion(options, Origin);
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var response = await PostAssertionAsync(browser, token, ceremony, assertion);

        await AssertRefusedAsync(response, PasskeyErrors.Expired, "unknown, expired or used ceremony");
    }

    [Fact]
    public async Task Rejects_WhenTheCeremonyIsUnknown()
    {
        await StartAsync();
        using var browser = NewBrowser();
        var token = await OpenLoginPageAsync(browser);
        var (_, options) = await RequestOptionsAsync(browser, token);

        var response = await PostAssertionAsync(browser, token, "no-such-ceremony", _authenticator.CreateAssertion(options, Origin));

        await AssertRefusedAsync(response, PasskeyErrors.Expired, "unknown, expired or used ceremony");
    }

    [Theory]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"id\":1,\"type\":\"public-key\",\"response\":\"x\"}")]
    [InlineData("not json at all")]
    public async Task Rejects_WhenTheCredentialIsMalformed(string credential)
    {
        await StartAsync();

        var response = await SignInAsync(_ => credential);

        // Which of Identity's parse errors it is varies by input; the page's message does not.
        await AssertRefusedAsync(response, PasskeyErrors.NotUsable, reason: "");
    }

    [Fact]
    public async Task RegistersAPasskey_OnTheSecurityPage()
    {
        await StartAsync();
        var (browser, token) = await SignedInWithPasswordAsync();
        var (ceremony, options) = await CreationOptionsAsync(browser, token);

        var response = await PostRegistrationAsync(browser, token, ceremony, _authenticator.CreateAttestation(options, Origin));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(SecurityModel.Path, response.Headers.Location?.OriginalString);
        Assert.Equal(1, await Factory.WithDbAsync(db => db.UserPasskeys.CountAsync(p => p.UserId == _bob)));
        browser.Dispose();
    }

    [Fact]
    public async Task RefusesARegistration_WhenTheAttestationComesFromAnotherOrigin()
    {
        await StartAsync();
        var (browser, token) = await SignedInWithPasswordAsync();
        var (ceremony, options) = await CreationOptionsAsync(browser, token);

        var response = await PostRegistrationAsync(browser, token, ceremony, _authenticator.CreateAttestation(options, "https://evil.example"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForms.ReadPageAsync(response, SecurityModel.Path);
        Assert.Equal(PasskeyErrors.WrongSite, page.Document.QuerySelector("#security-error")?.TextContent);
        Assert.Equal(0, await Factory.WithDbAsync(db => db.UserPasskeys.CountAsync(p => p.UserId == _bob)));
        Assert.True(await Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e =>
            e.Action == "passkey.registration_failed" && e.Outcome == AuditOutcome.Failure && e.Actor == _bob
            && e.Details!.Contains("invalid origin"))));
        browser.Dispose();
    }

    /// <summary>Bob, who has a password and no second factor, signed in on the login page and looking at his Security page.</summary>
    private async Task<(HttpClient Browser, string Token)> SignedInWithPasswordAsync()
    {
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var bob = new ApplicationUser { UserName = "bob", Email = "bob@example.com", DisplayName = "Bob Example", CreatedAt = _time.GetUtcNow() };
            Assert.True((await users.CreateAsync(bob, BobsPassword)).Succeeded);
            _bob = bob.Id;
        }

        var browser = NewBrowser();
        var login = await browser.GetPageAsync(LoginModel.Path);
        var signedIn = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "bob", ["Password"] = BobsPassword });
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        var security = await browser.GetPageAsync(SecurityModel.Path);
        var token = security.Document.QuerySelector("input[name='__RequestVerificationToken']")?.GetAttribute("value")
            ?? throw new InvalidOperationException("The Security page has no antiforgery token.");
        return (browser, token);
    }

    private static async Task<(string Ceremony, string OptionsJson)> CreationOptionsAsync(HttpClient browser, string token)
    {
        var response = await browser.PostAsync(SecurityModel.Path + "?handler=PasskeyCreationOptions", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["name"] = "Laptop",
            ["password"] = BobsPassword,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var options = json.RootElement.GetProperty("options");
        return (json.RootElement.GetProperty("ceremony").GetString()!,
            options.ValueKind == JsonValueKind.String ? options.GetString()! : options.GetRawText());
    }

    private static Task<HttpResponseMessage> PostRegistrationAsync(HttpClient browser, string token, string ceremony, string credential) =>
        browser.PostAsync(SecurityModel.Path + "?handler=RegisterPasskey", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["ceremony"] = ceremony,
            ["credential"] = credential,
        }));

    private static string WithForgedUvFirst(string assertion)
    {
        using var json = JsonDocument.Parse(assertion);
        var signed = json.RootElement.GetProperty("response").GetProperty("authenticatorData").GetString()!;
        var forged = Base64Url.DecodeFromChars(signed);
        forged[32] |= 0x04;
        return assertion.Replace("\"authenticatorData\":", $"\"authenticatorData\":\"{Base64Url.EncodeToString(forged)}\",\"authenticatorData\":", StringComparison.Ordinal);
    }

    /// <summary>Alice keeps her passkey but Identity's two-step flag is off, so one factor is enough for her.</summary>
    private async Task WithoutSecondFactorAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = await users.FindByIdAsync(_alice);
        Assert.True((await users.SetTwoFactorEnabledAsync(alice!, false)).Succeeded);
    }
}
