using System.Net;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Tests.Protocol;

public sealed class SqliteAuthorizationCodeFlowTests : AuthorizationCodeFlowTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresAuthorizationCodeFlowTests(PostgresCluster cluster) : AuthorizationCodeFlowTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The authorization code flow end to end over HTTP: authorize, sign in, code, tokens, refresh.</summary>
public abstract class AuthorizationCodeFlowTests : IAsyncLifetime
{
    protected const string CrmRedirect = "https://crm.example.com/signin-oidc";
    protected const string SpaRedirect = "http://localhost:3000/callback";
    private TestDatabase _database = null!;
    private string _crmSecret = null!;

    protected IdentityProviderFactory Factory { get; private set; } = null!;

    protected HttpClient Browser { get; private set; } = null!;

    protected string AliceId { get; private set; } = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        Factory = new IdentityProviderFactory(_database);
        Browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer), HandleCookies = true });
        await using var scope = Factory.Services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
        _crmSecret = (await clients.AddAsync(new ClientRegistration
        {
            ClientId = "crm",
            DisplayName = "CRM",
            RedirectUris = [CrmRedirect, CrmRedirect + "?tenant=1"],
            GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            Scopes = ["openid", "profile", "email", "offline_access", "deals.read"],
        }, "test", CancellationToken.None)).NewSecret!;
        var spa = await clients.AddAsync(new ClientRegistration
        {
            ClientId = "spa",
            Type = ClientType.Public,
            RedirectUris = [SpaRedirect],
            GrantTypes = [GrantTypes.AuthorizationCode],
            Scopes = ["openid", "profile"],
        }, "test", CancellationToken.None);
        Assert.True(spa.Succeeded, string.Join(" ", spa.Errors));
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", EmailConfirmed = true, DisplayName = "Alice Example" };
        Assert.True((await users.CreateAsync(alice)).Succeeded);
        AliceId = alice.Id;
    }

    public async Task DisposeAsync()
    {
        Browser.Dispose();
        await Factory.DisposeAsync();
        _database.Dispose();
    }

    protected CodeFlow Crm() => new(Browser, "crm", CrmRedirect, _crmSecret);

    [Fact]
    public async Task Issues_IdAccessAndRefreshTokens_ForACodeRedeemedWithItsVerifier()
    {
        var flow = Crm();
        var code = await flow.SignInAsync(AliceId, amr: "pwd otp mfa");

        var response = await flow.RedeemAsync(code);
        var body = await CodeFlow.JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var idToken = await ValidateAsync(body.GetProperty("id_token").GetString()!, "crm", "JWT");
        Assert.Equal(AliceId, idToken.Subject);
        Assert.Equal(flow.Nonce, idToken.GetClaim("nonce").Value);
        Assert.Equal(["pwd", "otp", "mfa"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.Equal("Alice Example", idToken.GetClaim("name").Value);
        Assert.Equal("alice@example.com", idToken.GetClaim("email").Value);
        Assert.True(idToken.TryGetClaim("auth_time", out _));
        Assert.True(idToken.TryGetClaim("sid", out _));
        // OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token issued with it (RS256).
        var accessTokenOctets = System.Text.Encoding.ASCII.GetBytes(body.GetProperty("access_token").GetString()!);
        Assert.Equal(Base64UrlEncoder.Encode(System.Security.Cryptography.SHA256.HashData(accessTokenOctets)[..16]), idToken.GetClaim("at_hash").Value);
        var accessToken = await ValidateAsync(body.GetProperty("access_token").GetString()!, IdentityProviderFactory.Issuer + "/resources", "at+jwt");
        Assert.Equal(AliceId, accessToken.Subject);
        Assert.Equal("crm", accessToken.GetClaim("client_id").Value);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("refresh_token").GetString()));
    }

    [Fact]
    public async Task Returns_TheIssuerAndState_WithTheCode()
    {
        var flow = Crm();
        var authorize = await Browser.GetAsync(flow.AuthorizeUrl());
        var login = await Browser.GetAsync(authorize.Headers.Location!.OriginalString + "&user=" + AliceId);
        var resume = await Browser.GetAsync(login.Headers.Location!.OriginalString);

        var query = QueryHelpers.ParseQuery(resume.Headers.Location!.Query);
        Assert.Equal(HttpStatusCode.Found, resume.StatusCode);
        Assert.Equal(IdentityProviderFactory.Issuer, query["iss"].ToString());
        Assert.Equal(flow.State, query["state"].ToString());
    }

    [Fact]
    public async Task Reuses_TheSession_WithoutAskingAgain()
    {
        await Crm().SignInAsync(AliceId);
        var second = Crm();

        var authorize = await Browser.GetAsync(second.AuthorizeUrl());

        Assert.StartsWith(CrmRedirect + "?code=", authorize.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_ASecondRedemption_AndRevokesWhatTheFirstIssued()
    {
        var flow = Crm();
        var code = await flow.SignInAsync(AliceId);
        var first = await CodeFlow.JsonAsync(await flow.RedeemAsync(code));

        var second = await flow.RedeemAsync(code);
        var refresh = await flow.RefreshAsync(first.GetProperty("refresh_token").GetString()!);

        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(second));
        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(refresh));
    }

    [Fact]
    public async Task TwentyParallelRedemptionsOfOneCode_SucceedExactlyOnce()
    {
        var flow = Crm();
        var code = await flow.SignInAsync(AliceId);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => flow.RedeemAsync(code)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
    }

    [Theory]
    [InlineData("wrong-verifier-wrong-verifier-wrong-verifier-1234")]
    [InlineData("short")]
    public async Task Rejects_AWrongCodeVerifier(string verifier)
    {
        var flow = Crm();
        var code = await flow.SignInAsync(AliceId);

        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(await flow.RedeemAsync(code, verifier: verifier)));
    }

    [Fact]
    public async Task Rejects_ARedirectUriThatDiffersFromTheAuthorizationRequest()
    {
        var flow = Crm();
        var code = await flow.SignInAsync(AliceId);

        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(await flow.RedeemAsync(code, redirect: CrmRedirect + "?tenant=1")));
    }

    [Fact]
    public async Task Rejects_ACodeAfterSixtySeconds()
    {
        var flow = Crm();
        var code = await flow.SignInAsync(AliceId);
        await Factory.WithDbAsync(db => db.AuthorizationCodes.ExecuteUpdateAsync(s => s.SetProperty(c => c.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(await flow.RedeemAsync(code)));
    }

    [Fact]
    public async Task StoresCodesAndRefreshTokens_OnlyAsHashes()
    {
        var flow = Crm();
        var code = await flow.SignInAsync(AliceId);
        var refresh = (await CodeFlow.JsonAsync(await flow.RedeemAsync(code))).GetProperty("refresh_token").GetString()!;

        Assert.Equal(0, await Factory.WithDbAsync(db => db.AuthorizationCodes.CountAsync(c => c.CodeHash == code)));
        Assert.Equal(1, await Factory.WithDbAsync(db => db.AuthorizationCodes.CountAsync(c => c.CodeHash == OpaqueTokens.Hash(code))));
        Assert.Equal(0, await Factory.WithDbAsync(db => db.RefreshTokens.CountAsync(t => t.TokenHash == refresh)));
        Assert.Equal(1, await Factory.WithDbAsync(db => db.RefreshTokens.CountAsync(t => t.TokenHash == OpaqueTokens.Hash(refresh))));
    }

    [Fact]
    public async Task Rotates_TheRefreshToken_OnEveryUse()
    {
        var flow = Crm();
        var first = (await CodeFlow.JsonAsync(await flow.RedeemAsync(await flow.SignInAsync(AliceId)))).GetProperty("refresh_token").GetString()!;

        var rotated = await flow.RefreshAsync(first);
        var body = await CodeFlow.JsonAsync(rotated);
        var second = body.GetProperty("refresh_token").GetString()!;

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.NotEqual(first, second);
        Assert.Equal(AliceId, (await ValidateAsync(body.GetProperty("id_token").GetString()!, "crm", "JWT")).Subject);
        Assert.Equal(HttpStatusCode.OK, (await flow.RefreshAsync(second)).StatusCode);
    }

    [Fact]
    public async Task Revokes_TheWholeFamily_WhenARotatedRefreshTokenIsReused()
    {
        var flow = Crm();
        var first = (await CodeFlow.JsonAsync(await flow.RedeemAsync(await flow.SignInAsync(AliceId)))).GetProperty("refresh_token").GetString()!;
        var second = (await CodeFlow.JsonAsync(await flow.RefreshAsync(first))).GetProperty("refresh_token").GetString()!;

        var reuse = await flow.RefreshAsync(first);
        var afterReuse = await flow.RefreshAsync(second);

        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(reuse));
        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(afterReuse));
        Assert.NotNull(await Factory.WithDbAsync(db => db.Grants.Select(g => g.RevokedAt).SingleAsync()));
    }

    [Fact]
    public async Task ParallelUseOfOneRefreshToken_LeavesAtMostOneChain()
    {
        var flow = Crm();
        var token = (await CodeFlow.JsonAsync(await flow.RedeemAsync(await flow.SignInAsync(AliceId)))).GetProperty("refresh_token").GetString()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => flow.RefreshAsync(token)));
        var winners = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var survivors = 0;
        foreach (var winner in winners)
        {
            var next = (await CodeFlow.JsonAsync(winner)).GetProperty("refresh_token").GetString()!;
            survivors += (await flow.RefreshAsync(next)).StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.True(winners.Count <= 1, $"{winners.Count} parallel refreshes succeeded");
        Assert.True(survivors <= 1);
    }

    [Fact]
    public async Task Narrows_TheScopeOnRefresh_ButNeverWidensIt()
    {
        var flow = Crm();
        var token = (await CodeFlow.JsonAsync(await flow.RedeemAsync(await flow.SignInAsync(AliceId, scope: "openid profile offline_access")))).GetProperty("refresh_token").GetString()!;

        var widened = await flow.RefreshAsync(token, scope: "openid deals.read");
        var narrowed = await flow.RefreshAsync(token, scope: "openid");

        Assert.Equal("invalid_scope", await CodeFlow.ErrorOf(widened));
        Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);
        Assert.Equal("openid", (await CodeFlow.JsonAsync(narrowed)).GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Rejects_RefreshAfterTheUserIsDisabled()
    {
        var flow = Crm();
        var token = (await CodeFlow.JsonAsync(await flow.RedeemAsync(await flow.SignInAsync(AliceId)))).GetProperty("refresh_token").GetString()!;
        await Factory.WithDbAsync(db => db.Users.ExecuteUpdateAsync(s => s.SetProperty(u => u.DisabledAt, DateTimeOffset.UtcNow)));

        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(await flow.RefreshAsync(token)));
    }

    [Fact]
    public async Task Issues_NoRefreshToken_WithoutOfflineAccess()
    {
        var flow = Crm();
        var body = await CodeFlow.JsonAsync(await flow.RedeemAsync(await flow.SignInAsync(AliceId, scope: "openid profile")));

        Assert.False(body.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Issues_TokensToAPublicClient_AuthenticatedByPkceAlone()
    {
        var flow = new CodeFlow(Browser, "spa", SpaRedirect);
        var code = await flow.SignInAsync(AliceId, scope: "openid profile");

        var response = await flow.RedeemAsync(code);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await CodeFlow.JsonAsync(response)).TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Rejects_AnotherClientRedeemingTheCode()
    {
        var code = await Crm().SignInAsync(AliceId, scope: "openid profile");
        var spa = new CodeFlow(Browser, "spa", CrmRedirect);

        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(await spa.RedeemAsync(code)));
    }

    [Fact]
    public async Task Releases_RolesAndClaims_ThroughAnOperatorDefinedScope_WhateverTheScopeOrder()
    {
        await using var configured = Factory.WithWebHostBuilder(web =>
        {
            web.UseSetting("OpenIdServer:ScopeClaims:roles:0", "roles");
            web.UseSetting("OpenIdServer:ScopeClaims:roles:1", "department");
        });
        using var browser = configured.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        await using (var scope = configured.Services.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var alice = (await users.FindByIdAsync(AliceId))!;
            foreach (var role in new[] { "sales", "support" })
            {
                Assert.True((await roles.CreateAsync(new IdentityRole(role))).Succeeded);
                Assert.True((await users.AddToRoleAsync(alice, role)).Succeeded);
            }

            Assert.True((await users.AddClaimAsync(alice, new System.Security.Claims.Claim("department", "EMEA"))).Succeeded);
            Assert.True((await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
            {
                ClientId = "portal", RedirectUris = [SpaRedirect], Type = ClientType.Public,
                GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", "profile", "roles"],
            }, "test", CancellationToken.None)).Succeeded);
        }

        var flow = new CodeFlow(browser, "portal", SpaRedirect);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(await flow.SignInAsync(AliceId, scope: "roles profile openid")));
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        using var userInfoRequest = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        userInfoRequest.Headers.Authorization = new("Bearer", tokens.GetProperty("access_token").GetString());
        var userInfo = await CodeFlow.JsonAsync(await browser.SendAsync(userInfoRequest));
        var discovery = await CodeFlow.JsonAsync(await browser.GetAsync("/.well-known/openid-configuration"));

        Assert.Equal(["sales", "support"], idToken.Claims.Where(c => c.Type == "roles").Select(c => c.Value).Order());
        Assert.Equal("EMEA", idToken.GetClaim("department").Value);
        Assert.Equal("Alice Example", idToken.GetClaim("name").Value);
        Assert.Equal(["sales", "support"], userInfo.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).Order());
        Assert.Equal("EMEA", userInfo.GetProperty("department").GetString());
        Assert.Contains("roles", discovery.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains("department", discovery.GetProperty("claims_supported").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Releases_NoRolesOrClaims_WithoutTheirScope()
    {
        var flow = Crm();
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(await flow.SignInAsync(AliceId, scope: "openid")));
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());

        Assert.False(idToken.TryGetClaim("name", out _));
        Assert.False(idToken.TryGetClaim("email", out _));
        Assert.False(idToken.TryGetClaim("roles", out _));
    }

    [Fact]
    public async Task NeverLogsCodesOrTokens()
    {
        var flow = Crm();
        var code = await flow.SignInAsync(AliceId);
        var body = await CodeFlow.JsonAsync(await flow.RedeemAsync(code));

        var secrets = new[] { code, body.GetProperty("refresh_token").GetString()!, body.GetProperty("access_token").GetString()!, _crmSecret };
        Assert.DoesNotContain(Factory.Logs.Lines, line => secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
    }

    private async Task<JsonWebToken> ValidateAsync(string token, string audience, string type)
    {
        var jwks = new JsonWebKeySet(await Browser.GetStringAsync("/.well-known/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = IdentityProviderFactory.Issuer,
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = [type],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }
}
