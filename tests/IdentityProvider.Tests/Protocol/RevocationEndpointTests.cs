using System.Net;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Protocol;

public sealed class SqliteRevocationEndpointTests : RevocationEndpointTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRevocationEndpointTests(PostgresCluster cluster) : RevocationEndpointTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>RFC 7009: a client revokes its own tokens; the answer never says whether a token existed.</summary>
public abstract class RevocationEndpointTests : IssuedTokensTestBase
{
    [Fact]
    public async Task Revokes_TheWholeGrant_WithItsRefreshToken()
    {
        var flow = Crm();
        var tokens = await SignInAsync(flow);

        var response = await RevokeAsync(tokens.RefreshToken!, hint: "refresh_token");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(await flow.RefreshAsync(tokens.RefreshToken!)));
        Assert.False(IsActive(await IntrospectAsync(tokens.AccessToken)));
    }

    [Fact]
    public async Task Revokes_TheWholeGrant_WithItsAccessToken()
    {
        var flow = Crm();
        var tokens = await SignInAsync(flow);

        var response = await RevokeAsync(tokens.AccessToken, hint: "access_token");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(IsActive(await IntrospectAsync(tokens.AccessToken)));
        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(await flow.RefreshAsync(tokens.RefreshToken!)));
    }

    [Fact]
    public async Task Revokes_APublicClientsOwnAccessToken_WithItsClientIdAlone()
    {
        var tokens = await SignInAsync(Spa(), scope: "openid profile");
        Assert.Equal(HttpStatusCode.OK, (await UserInfoAsync(tokens.AccessToken)).StatusCode);

        var response = await PostAsync("/connect/revoke", "spa", null, ("token", tokens.AccessToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserInfoAsync(tokens.AccessToken)).StatusCode);
    }

    [Theory]
    [InlineData("unknown-refresh-token")]
    [InlineData("a.b.c")]
    public async Task Issues_OkWithoutRevealingAnything_ForAnUnknownToken(string token)
    {
        var response = await RevokeAsync(token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Issues_OkButRevokesNothing_ForAnotherClientsTokens()
    {
        var flow = Crm();
        var tokens = await SignInAsync(flow);

        var refresh = await RevokeAsync(tokens.RefreshToken!, clientId: "erp");
        var access = await RevokeAsync(tokens.AccessToken, clientId: "erp");

        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.OK, access.StatusCode);
        Assert.True(IsActive(await IntrospectAsync(tokens.AccessToken)));
        Assert.True(IsActive(await IntrospectAsync(tokens.RefreshToken!)));
    }

    [Fact]
    public async Task Requires_TheTokenParameter()
    {
        var response = await PostAsync("/connect/revoke", "crm", CrmSecret, ("token_type_hint", "refresh_token"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await CodeFlow.ErrorOf(response));
    }

    [Fact]
    public async Task Rejects_WhenTheClientSecretIsWrong()
    {
        var tokens = await SignInAsync(Crm());

        var response = await PostAsync("/connect/revoke", "crm", "wrong-secret", ("token", tokens.RefreshToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", await CodeFlow.ErrorOf(response));
        Assert.True(IsActive(await IntrospectAsync(tokens.RefreshToken!)));
    }
}
