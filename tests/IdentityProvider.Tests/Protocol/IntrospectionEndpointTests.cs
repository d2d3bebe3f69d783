using System.Net;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Protocol;

public sealed class SqliteIntrospectionEndpointTests : IntrospectionEndpointTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresIntrospectionEndpointTests(PostgresCluster cluster) : IntrospectionEndpointTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>RFC 7662: a client asks about its own tokens.</summary>
public abstract class IntrospectionEndpointTests : IssuedTokensTestBase
{
    [Fact]
    public async Task Issues_ActiveWithItsClaims_ForTheCallersAccessToken()
    {
        var tokens = await SignInAsync(Crm());

        var body = await IntrospectAsync(tokens.AccessToken);

        Assert.True(IsActive(body));
        Assert.Equal("crm", body.GetProperty("client_id").GetString());
        Assert.Equal(AliceId, body.GetProperty("sub").GetString());
        Assert.Equal("openid profile email offline_access", body.GetProperty("scope").GetString());
        Assert.Equal(IdentityProviderFactory.Issuer, body.GetProperty("iss").GetString());
        Assert.Equal(IdentityProviderFactory.Issuer + "/resources", body.GetProperty("aud").GetString());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("jti").GetString()));
        var iat = body.GetProperty("iat").GetInt64();
        Assert.Equal(iat + 3600, body.GetProperty("exp").GetInt64());
        Assert.Equal(iat, body.GetProperty("nbf").GetInt64());
    }

    [Fact]
    public async Task Issues_ActiveWithItsClaims_ForTheCallersRefreshToken()
    {
        var tokens = await SignInAsync(Crm());

        var body = await IntrospectAsync(tokens.RefreshToken!, hint: "refresh_token");

        Assert.True(IsActive(body));
        Assert.Equal("crm", body.GetProperty("client_id").GetString());
        Assert.Equal(AliceId, body.GetProperty("sub").GetString());
        Assert.Equal("openid profile email offline_access", body.GetProperty("scope").GetString());
        Assert.Equal("refresh_token", body.GetProperty("token_type").GetString());
        var expectedExp = DateTimeOffset.UtcNow.AddDays(14).ToUnixTimeSeconds();
        Assert.InRange(body.GetProperty("exp").GetInt64(), expectedExp - 120, expectedExp + 120);
    }

    [Fact]
    public async Task Issues_Active_WhatEverTheHintSays()
    {
        var tokens = await SignInAsync(Crm());

        Assert.True(IsActive(await IntrospectAsync(tokens.AccessToken, hint: "refresh_token")));
        Assert.True(IsActive(await IntrospectAsync(tokens.RefreshToken!, hint: "access_token")));
        Assert.True(IsActive(await IntrospectAsync(tokens.AccessToken, hint: "something_else")));
    }

    [Fact]
    public async Task Issues_ActiveForAClientCredentialsToken_OfTheCaller()
    {
        var body = await IntrospectAsync(await ClientCredentialsTokenAsync(), clientId: "reports");

        Assert.True(IsActive(body));
        Assert.Equal("reports", body.GetProperty("sub").GetString());
        Assert.Equal("reports.read", body.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Rejects_AnotherClientsTokens_AsInactive()
    {
        var tokens = await SignInAsync(Crm());

        var access = await IntrospectAsync(tokens.AccessToken, clientId: "erp");
        var refresh = await IntrospectAsync(tokens.RefreshToken!, clientId: "erp");

        Assert.False(IsActive(access));
        Assert.False(IsActive(refresh));
        Assert.Single(access.EnumerateObject());
        Assert.Single(refresh.EnumerateObject());
    }

    [Fact]
    public async Task Rejects_TokensOfARevokedGrant_AsInactive()
    {
        var tokens = await SignInAsync(Crm());
        await RevokeAsync(tokens.RefreshToken!);

        Assert.False(IsActive(await IntrospectAsync(tokens.AccessToken)));
        Assert.False(IsActive(await IntrospectAsync(tokens.RefreshToken!)));
    }

    [Fact]
    public async Task Rejects_ARotatedRefreshToken_AsInactive()
    {
        var flow = Crm();
        var tokens = await SignInAsync(flow);
        var rotated = (await CodeFlow.JsonAsync(await flow.RefreshAsync(tokens.RefreshToken!))).GetProperty("refresh_token").GetString()!;

        Assert.False(IsActive(await IntrospectAsync(tokens.RefreshToken!)));
        Assert.True(IsActive(await IntrospectAsync(rotated)));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    [InlineData("....")]
    public async Task Rejects_Garbage_AsInactive(string token)
    {
        Assert.False(IsActive(await IntrospectAsync(token)));
    }

    [Fact]
    public async Task Rejects_WhenTheClientSecretIsWrong()
    {
        var tokens = await SignInAsync(Crm());

        var response = await PostAsync("/connect/introspect", "crm", "wrong-secret", ("token", tokens.AccessToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await CodeFlow.ErrorOf(response));
    }

    [Fact]
    public async Task Rejects_APublicClient()
    {
        var tokens = await SignInAsync(Spa(), scope: "openid profile");

        var response = await PostAsync("/connect/introspect", "spa", null, ("token", tokens.AccessToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await CodeFlow.ErrorOf(response));
    }

    [Fact]
    public async Task Requires_TheTokenParameter()
    {
        var response = await PostAsync("/connect/introspect", "crm", CrmSecret);

        Assert.Equal("invalid_request", await CodeFlow.ErrorOf(response));
    }

    [Fact]
    public async Task NeverLogsTheTokens()
    {
        var tokens = await SignInAsync(Crm());
        await IntrospectAsync(tokens.AccessToken, clientId: "erp");
        await IntrospectAsync(tokens.RefreshToken!, clientId: "erp");
        await RevokeAsync(tokens.RefreshToken!);
        await IntrospectAsync(tokens.AccessToken);

        Assert.DoesNotContain(Factory.Logs.Lines, line =>
            line.Contains(tokens.AccessToken, StringComparison.Ordinal) || line.Contains(tokens.RefreshToken!, StringComparison.Ordinal));
    }
}
