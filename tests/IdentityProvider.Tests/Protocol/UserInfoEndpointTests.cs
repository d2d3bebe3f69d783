using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Tests.Protocol;

public sealed class SqliteUserInfoEndpointTests : UserInfoEndpointTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresUserInfoEndpointTests(PostgresCluster cluster) : UserInfoEndpointTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>OIDC Core §5.3 with RFC 6750 bearer semantics.</summary>
public abstract class UserInfoEndpointTests : IssuedTokensTestBase
{
    [Fact]
    public async Task Issues_TheClaimsOfTheTokensScopes()
    {
        var tokens = await SignInAsync(Crm());

        var response = await UserInfoAsync(tokens.AccessToken);
        var body = await CodeFlow.JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(AliceId, body.GetProperty("sub").GetString());
        Assert.Equal("Alice Example", body.GetProperty("name").GetString());
        Assert.Equal("alice@example.com", body.GetProperty("email").GetString());
        Assert.True(body.GetProperty("email_verified").GetBoolean());
    }

    [Fact]
    public async Task Issues_OnlySub_AndTheScopesClaims_WhenEmailWasNotGranted()
    {
        var tokens = await SignInAsync(Crm(), scope: "openid profile");

        var body = await CodeFlow.JsonAsync(await UserInfoAsync(tokens.AccessToken));

        Assert.Equal(AliceId, body.GetProperty("sub").GetString());
        Assert.True(body.TryGetProperty("name", out _));
        Assert.False(body.TryGetProperty("email", out _));
    }

    [Fact]
    public async Task Issues_TheClaims_ForATokenInThePostBody()
    {
        var tokens = await SignInAsync(Crm());

        var response = await Browser.PostAsync("/connect/userinfo", new FormUrlEncodedContent([new("access_token", tokens.AccessToken)]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AliceId, (await CodeFlow.JsonAsync(response)).GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Requires_AToken_WithAPlainBearerChallenge()
    {
        var response = await UserInfoAsync(null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsInTheQueryString()
    {
        var tokens = await SignInAsync(Crm());

        var response = await Browser.GetAsync("/connect/userinfo?access_token=" + Uri.EscapeDataString(tokens.AccessToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsTampered()
    {
        var tokens = await SignInAsync(Crm());
        var parts = tokens.AccessToken.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace(AliceId, "someone-else", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        await AssertInvalidTokenAsync(await UserInfoAsync(tampered));
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsUnsigned()
    {
        var tokens = await SignInAsync(Crm());
        var parts = tokens.AccessToken.Split('.');
        var header = Base64Url.EncodeToString("""{"alg":"none","typ":"at+jwt"}"""u8);

        await AssertInvalidTokenAsync(await UserInfoAsync($"{header}.{parts[1]}."));
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsSignedWithAnotherKey()
    {
        var tokens = await SignInAsync(Crm());
        var claims = new JsonWebToken(tokens.AccessToken).Claims.GroupBy(c => c.Type)
            .ToDictionary(g => g.Key, g => g.Count() == 1 ? (object)g.Single().Value : g.Select(c => c.Value).ToArray());
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "at+jwt",
            Claims = claims,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = "unknown" }, SecurityAlgorithms.EcdsaSha256),
        });

        await AssertInvalidTokenAsync(await UserInfoAsync(forged));
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsGarbage()
    {
        await AssertInvalidTokenAsync(await UserInfoAsync("not-a-jwt"));
        await AssertInvalidTokenAsync(await UserInfoAsync("a.b.c"));
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsAClientCredentialsToken()
    {
        await AssertInvalidTokenAsync(await UserInfoAsync(await ClientCredentialsTokenAsync()));
    }

    [Fact]
    public async Task Rejects_WhenTheTokenLacksTheOpenIdScope()
    {
        var flow = Crm();
        var tokens = await SignInAsync(flow);
        var narrowed = await CodeFlow.JsonAsync(await flow.RefreshAsync(tokens.RefreshToken!, scope: "profile"));

        var response = await UserInfoAsync(narrowed.GetProperty("access_token").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.Single().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_WhenTheRefreshTokenOfItsGrantWasRevoked()
    {
        var tokens = await SignInAsync(Crm());
        Assert.Equal(HttpStatusCode.OK, (await RevokeAsync(tokens.RefreshToken!)).StatusCode);

        await AssertInvalidTokenAsync(await UserInfoAsync(tokens.AccessToken));
    }

    [Fact]
    public async Task Rejects_WhenTheUserIsDisabled()
    {
        var tokens = await SignInAsync(Crm());
        await Factory.WithDbAsync(db => db.Users.ExecuteUpdateAsync(s => s.SetProperty(u => u.DisabledAt, DateTimeOffset.UtcNow)));

        await AssertInvalidTokenAsync(await UserInfoAsync(tokens.AccessToken));
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsSentTwice()
    {
        var tokens = await SignInAsync(Crm());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/userinfo")
        {
            Content = new FormUrlEncodedContent([new("access_token", tokens.AccessToken)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);

        var response = await Browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.Single().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_AMalformedBody_WithAChallengeThatStaysOneQuotedHeader()
    {
        var name = "x\"y\r\nSet-Cookie: z";

        var response = await Browser.PostAsync("/connect/userinfo", new FormUrlEncodedContent([new(name, "1"), new(name, "2")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var challenge = Assert.Single(response.Headers.NonValidated["WWW-Authenticate"]);
        Assert.StartsWith("Bearer error=\"invalid_request\", error_description=\"", challenge, StringComparison.Ordinal);
        Assert.Equal(4, challenge.Count(c => c == '"'));
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    private static async Task AssertInvalidTokenAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.Single();
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("error_description=", challenge.Parameter, StringComparison.Ordinal);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
    }
}
