using System.Net;
using System.Text;
using IdentityProvider.Federation;
using IdentityProvider.Persistence;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Tests.Federation;

public sealed class SqliteUpstreamCallbackTests : UpstreamCallbackTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresUpstreamCallbackTests(PostgresCluster cluster) : UpstreamCallbackTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>
/// The relying-party half of federated sign-in against a real upstream on a loopback port: start,
/// callback, every check of the answer, and the hand-over to the local sign-in.
/// </summary>
public abstract class UpstreamCallbackTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestDatabase _database = null!;
    private FederationHost _host = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    private FakeUpstream Upstream => _host.Upstream;

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _host = await FederationHost.StartAsync(_database, _time);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task HandsTheMappedIdentityOver_AndSendsTheBrowserToItsPath()
    {
        using var browser = _host.NewBrowser();

        var callback = await _host.AuthorizeAtUpstreamAsync(browser, start: FederationPaths.Start("corp", "req-1") + "&login_hint=ada%40corp.example");
        var done = await browser.GetAsync(callback);

        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
        Assert.Equal(RecordingFederatedSignIn.NextPath, done.Headers.Location!.OriginalString);
        var (identity, requestId) = Assert.Single(_host.SignIn.Calls);
        Assert.Equal("req-1", requestId);
        Assert.Equal("corp", identity.ProviderId);
        Assert.Equal("corp-user-42", identity.Subject);
        Assert.Equal("ada@corp.example", identity.Email);
        Assert.True(identity.EmailVerified);
        Assert.Equal("Ada Lovelace", identity.Name);
        Assert.Equal(["engineering", "admins"], identity.Groups);
        Assert.Equal(["pwd", "otp"], identity.Amr);
        Assert.Equal("urn:corp:silver", identity.Acr);
        Assert.True(identity.ShowsMultipleFactors); // pwd (knowledge) + otp (possession), RFC 8176
        Assert.Equal(3, identity.IdToken.Split('.').Length);

        var sent = Upstream.LastAuthorizeQuery;
        Assert.Equal("code", sent["response_type"]);
        Assert.Equal(FakeUpstream.ClientId, sent["client_id"]);
        Assert.Equal("http://localhost/federation/corp/callback", sent["redirect_uri"]);
        Assert.Equal("openid profile email", sent["scope"]);
        Assert.Equal("S256", sent["code_challenge_method"]);
        Assert.Equal("ada@corp.example", sent["login_hint"]);
        Assert.True(sent["state"].Length >= 22 && sent["nonce"].Length >= 22); // ≥ 128 bits in base64url
        Assert.Equal(0, await _host.WithDbAsync(db => db.FederationStates.CountAsync()));
    }

    [Fact]
    public async Task SendsThePkceVerifierOfTheChallenge_AndTheSecretByBasicAuthentication()
    {
        using var browser = _host.NewBrowser();

        await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser));

        var verifier = Upstream.LastTokenForm["code_verifier"];
        Assert.Equal(Upstream.LastAuthorizeQuery["code_challenge"], FakeUpstream.Challenge(verifier));
        Assert.False(Upstream.LastTokenForm.ContainsKey("client_secret"));
        // RFC 6749 §2.3.1: id and secret form-urlencoded, then joined with ':'.
        var basic = Encoding.UTF8.GetString(Convert.FromBase64String(Upstream.LastTokenAuthorization!["Basic ".Length..]));
        Assert.Equal($"{WebUtility.UrlEncode(FakeUpstream.ClientId)}:{WebUtility.UrlEncode(FakeUpstream.ClientSecret)}", basic);
        Assert.Single(_host.SignIn.Calls);
    }

    [Fact]
    public async Task SendsTheSecretInTheBody_ForClientSecretPost()
    {
        using var browser = _host.NewBrowser();

        var done = await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser, "other"));

        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
        Assert.Equal(FakeUpstream.ClientSecret, Upstream.LastTokenForm["client_secret"]);
        Assert.Equal(FakeUpstream.ClientId, Upstream.LastTokenForm["client_id"]);
        Assert.Empty(Upstream.LastTokenAuthorization!);
    }

    [Fact]
    public async Task AuthenticatesWithAJwtSignedByOurKey_ForPrivateKeyJwt()
    {
        using var browser = _host.NewBrowser();

        var done = await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser, "jwt"));

        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
        var form = Upstream.LastTokenForm;
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", form["client_assertion_type"]);
        Assert.False(form.ContainsKey("client_secret"));
        Assert.Empty(Upstream.LastTokenAuthorization!);
        // RFC 7523 §3: iss = sub = our client id at the upstream, aud its token endpoint, signed with a key of our JWKS.
        var jwks = new JsonWebKeySet(await browser.GetStringAsync("/.well-known/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(form["client_assertion"], new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidIssuer = FakeUpstream.ClientId,
            ValidAudience = Upstream.Issuer + "/token",
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var assertion = (JsonWebToken)result.SecurityToken;
        Assert.Equal(FakeUpstream.ClientId, assertion.Subject);
        Assert.False(string.IsNullOrEmpty(assertion.Id));
    }

    [Fact]
    public async Task Rejects_WhenTheStateIsReplayed()
    {
        using var browser = _host.NewBrowser();
        var callback = await _host.AuthorizeAtUpstreamAsync(browser);
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.GetAsync(callback)).StatusCode);

        var replay = await browser.GetAsync(callback);

        await AssertRefusedAsync(replay, HttpStatusCode.BadRequest, "unknown or already used state");
        Assert.Single(_host.SignIn.Calls);
        Assert.Equal(1, Upstream.TokenRequests);
    }

    [Fact]
    public async Task AnswersHead_WithoutSpendingTheState()
    {
        using var browser = _host.NewBrowser();
        var callback = await _host.AuthorizeAtUpstreamAsync(browser);

        var head = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Head, callback));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, head.StatusCode);
        Assert.Equal("GET", head.Content.Headers.Allow.Single());
        Assert.Equal(0, Upstream.TokenRequests);
        var done = await browser.GetAsync(callback);
        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
        Assert.Single(_host.SignIn.Calls);
    }

    [Fact]
    public async Task Rejects_WhenTheStateArrivesInAnotherBrowser()
    {
        using var victim = _host.NewBrowser();
        using var attacker = _host.NewBrowser();
        var callback = await _host.AuthorizeAtUpstreamAsync(attacker);

        var delivered = await victim.GetAsync(callback);

        await AssertRefusedAsync(delivered, HttpStatusCode.BadRequest, "state was started in another browser");
        Assert.Empty(_host.SignIn.Calls);
        Assert.Equal(0, Upstream.TokenRequests);
    }

    [Fact]
    public async Task Rejects_WhenTheStateArrivesInABrowserWithItsOwnBinding()
    {
        using var victim = _host.NewBrowser();
        using var attacker = _host.NewBrowser();
        await victim.GetAsync(FederationPaths.Start("corp", null)); // the victim has a binding cookie of its own
        var callback = await _host.AuthorizeAtUpstreamAsync(attacker);

        var delivered = await victim.GetAsync(callback);

        await AssertRefusedAsync(delivered, HttpStatusCode.BadRequest, "state was started in another browser");
        Assert.Empty(_host.SignIn.Calls);
    }

    [Fact]
    public async Task Rejects_WhenTheStateIsUnknownOrMissing()
    {
        using var browser = _host.NewBrowser();
        await _host.AuthorizeAtUpstreamAsync(browser);

        var unknown = await browser.GetAsync("/federation/corp/callback?code=abc&state=made-up-state&iss=" + Uri.EscapeDataString(Upstream.Issuer));
        var missing = await browser.GetAsync("/federation/corp/callback?code=abc");

        await AssertRefusedAsync(unknown, HttpStatusCode.BadRequest, "unknown or already used state");
        await AssertRefusedAsync(missing, HttpStatusCode.BadRequest, "missing state");
        Assert.Empty(_host.SignIn.Calls);
    }

    [Theory]
    [InlineData("callback?code=abc&state=x")]
    [InlineData("start")]
    [InlineData("signed-out")]
    public async Task AnswersAWhitespaceProviderId_WithoutAnError(string rest)
    {
        // A fuzz finding: the route value " " was bound as null and the callback answered 500.
        using var browser = _host.NewBrowser();

        var answer = await browser.GetAsync("/federation/%20/" + rest);

        Assert.InRange((int)answer.StatusCode, 200, 499);
        Assert.Empty(_host.SignIn.Calls);
    }

    [Fact]
    public async Task Rejects_WhenTheStateWasIssuedForAnotherProvider()
    {
        using var browser = _host.NewBrowser();
        var callback = await _host.AuthorizeAtUpstreamAsync(browser);

        var elsewhere = await browser.GetAsync(callback.Replace("/federation/corp/", "/federation/other/", StringComparison.Ordinal));

        await AssertRefusedAsync(elsewhere, HttpStatusCode.BadRequest, "state was issued for provider corp");
        Assert.Empty(_host.SignIn.Calls);
    }

    [Fact]
    public async Task Rejects_WhenTheStateHasExpired()
    {
        using var browser = _host.NewBrowser();
        var callback = await _host.AuthorizeAtUpstreamAsync(browser);
        _time.Advance(TimeSpan.FromMinutes(11));

        await AssertRefusedAsync(await browser.GetAsync(callback), HttpStatusCode.BadRequest, "state expired");
        Assert.Empty(_host.SignIn.Calls);
    }

    [Fact]
    public async Task TheSweeperDeletesStatesTheUpstreamNeverAnswered()
    {
        using var browser = _host.NewBrowser();
        var callback = await _host.AuthorizeAtUpstreamAsync(browser);
        await _host.AuthorizeAtUpstreamAsync(browser);
        _time.Advance(TimeSpan.FromMinutes(5));
        await _host.AuthorizeAtUpstreamAsync(browser);
        _time.Advance(TimeSpan.FromMinutes(6));

        await _host.App.Services.GetRequiredService<ExpiredArtefactSweeper>().SweepAsync(CancellationToken.None);

        Assert.Equal(1, await _host.WithDbAsync(db => db.FederationStates.CountAsync()));
        await AssertRefusedAsync(await browser.GetAsync(callback), HttpStatusCode.BadRequest, "unknown or already used state");
    }

    [Theory]
    [InlineData(IdTokenFault.SignedByForeignKeyWithKnownKid, "id_token signature is invalid")]
    [InlineData(IdTokenFault.SignedByUnknownKey, "id_token is signed with an unknown key")]
    [InlineData(IdTokenFault.AlgNone, "id_token is unsigned (alg none)")]
    [InlineData(IdTokenFault.WrongIssuer, "id_token iss is not the upstream's issuer")]
    [InlineData(IdTokenFault.WrongAudience, "id_token aud does not contain our client id")]
    [InlineData(IdTokenFault.Expired, "id_token has expired")]
    [InlineData(IdTokenFault.WrongNonce, "id_token nonce does not match")]
    [InlineData(IdTokenFault.WrongAtHash, "id_token at_hash does not match the access token")]
    public async Task Rejects_WhenTheIdTokenFailsVerification(IdTokenFault fault, string reason)
    {
        using var browser = _host.NewBrowser();
        Upstream.Fault = fault;

        var answer = await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser));

        await AssertRefusedAsync(answer, HttpStatusCode.BadGateway, reason);
        Assert.Contains("could not be verified", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_host.SignIn.Calls);
    }

    [Fact]
    public async Task Rejects_WhenTheIssParameterIsMissing_AndTheUpstreamAdvertisesIt()
    {
        using var browser = _host.NewBrowser();
        Upstream.OmitCallbackIss = true;

        var answer = await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser));

        await AssertRefusedAsync(answer, HttpStatusCode.BadRequest, "iss parameter missing (RFC 9207)");
        Assert.Equal(0, Upstream.TokenRequests);
    }

    [Fact]
    public async Task Accepts_AMissingIssParameter_WhenTheUpstreamDoesNotAdvertiseIt()
    {
        using var browser = _host.NewBrowser();
        Upstream.OmitCallbackIss = true;
        Upstream.AdvertiseIssParameter = false;

        var answer = await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser));

        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
    }

    [Fact]
    public async Task Rejects_WhenTheIssParameterNamesAnotherIssuer()
    {
        using var browser = _host.NewBrowser();
        Upstream.CallbackIss = "https://other-idp.example";

        var answer = await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser));

        await AssertRefusedAsync(answer, HttpStatusCode.BadRequest, "iss parameter is not the upstream's issuer (RFC 9207)");
        Assert.Equal(0, Upstream.TokenRequests);
    }

    [Fact]
    public async Task FetchesTheJwksOnce_WhenTheUpstreamRotatedItsKey_AndNotForEveryUnknownKid()
    {
        using var browser = _host.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser))).StatusCode);
        Assert.Equal(1, Upstream.JwksRequests);

        // Later than Federation:JwksRefreshInterval (30 s) after the first fetch, the upstream rotates.
        _time.Advance(TimeSpan.FromSeconds(31));
        Upstream.Rotate("key-2");
        var afterRotation = await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser));
        Assert.Equal(HttpStatusCode.SeeOther, afterRotation.StatusCode);
        Assert.Equal(2, Upstream.JwksRequests);

        // A flood of tokens naming unknown keys right after: no further fetch within the interval.
        Upstream.Fault = IdTokenFault.SignedByUnknownKey;
        for (var i = 0; i < 3; i++)
        {
            await AssertRefusedAsync(await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser)), HttpStatusCode.BadGateway, "id_token is signed with an unknown key");
        }

        Assert.Equal(2, Upstream.JwksRequests);
        Assert.Equal(2, _host.SignIn.Calls.Count);
        Assert.Equal(1, Upstream.DiscoveryRequests); // cached for Federation:MetadataLifetime
    }

    [Fact]
    public async Task ShowsTheCancelledPage_WhenTheUpstreamAnswersAccessDenied()
    {
        using var browser = _host.NewBrowser();
        Upstream.AuthorizeError = "access_denied";

        var answer = await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser));

        await AssertRefusedAsync(answer, HttpStatusCode.BadRequest, "upstream error: access_denied");
        var page = await answer.Content.ReadAsStringAsync();
        Assert.Contains("Sign-in at Corp corp was cancelled", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/test/login?request=req-1\"", page.Replace("&amp;", "&", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(0, Upstream.TokenRequests);
    }

    [Fact]
    public async Task ShowsAFailurePage_WhenTheTokenEndpointAnswersAnError()
    {
        using var browser = _host.NewBrowser();
        Upstream.TokenError = "invalid_grant";

        var answer = await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser));

        await AssertRefusedAsync(answer, HttpStatusCode.BadGateway, "token endpoint error: invalid_grant");
        Assert.Contains("Sign-in at Corp corp failed", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_WhenTheDiscoveryDocumentNamesAnotherIssuer()
    {
        using var browser = _host.NewBrowser();
        Upstream.DiscoveryIssuer = "https://impostor.example";

        var answer = await browser.GetAsync(FederationPaths.Start("corp", "req-1"));

        Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        var failure = Assert.Single(await _host.FailuresAsync());
        Assert.StartsWith("discovery issuer mismatch", failure.Details, StringComparison.Ordinal);
        Assert.Equal(0, await _host.WithDbAsync(db => db.FederationStates.CountAsync()));
    }

    [Fact]
    public async Task ShowsAnErrorPage_NotA500_WhenTheUpstreamIsDown()
    {
        using var browser = _host.NewBrowser();

        var answer = await browser.GetAsync(FederationPaths.Start("down", "req-1"));

        Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        Assert.Contains("Corp down cannot be reached", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var failure = Assert.Single(await _host.FailuresAsync());
        Assert.Equal("down", failure.TargetId);
        Assert.StartsWith("upstream unreachable", failure.Details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData("off")]
    public async Task AnswersNotFound_ForAnUnknownOrDisabledProvider(string providerId)
    {
        using var browser = _host.NewBrowser();

        var answer = await browser.GetAsync(FederationPaths.Start(providerId, "req-1"));

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Contains("Sign-in provider not found", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusesToRedirectElsewhere_WhenTheLocalSignInAnswersAnAbsoluteUrl()
    {
        using var browser = _host.NewBrowser();
        _host.SignIn.Answer = "https://evil.example/";

        var answer = await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser));

        await AssertRefusedAsync(answer, HttpStatusCode.BadGateway, "the local sign-in answered a non-local redirect");
        Assert.Null(answer.Headers.Location);
    }

    [Fact]
    public async Task FillsMissingClaimsFromUserInfo()
    {
        using var browser = _host.NewBrowser();
        Upstream.IncludeEmailInIdToken = false;

        Assert.Equal(HttpStatusCode.SeeOther, (await browser.GetAsync(await _host.AuthorizeAtUpstreamAsync(browser))).StatusCode);

        var (identity, _) = Assert.Single(_host.SignIn.Calls);
        Assert.Equal("ada@corp.example", identity.Email);
        Assert.True(identity.EmailVerified);
    }

    private async Task AssertRefusedAsync(HttpResponseMessage answer, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, answer.StatusCode);
        Assert.Contains("Back to sign-in", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var failures = await _host.FailuresAsync();
        Assert.Contains(failures, f => f.Details == reason);
        // The audit trail names the provider and the reason, never the code, tokens or state.
        Assert.All(failures, f => Assert.DoesNotContain("eyJ", f.Details ?? "", StringComparison.Ordinal));
    }
}
