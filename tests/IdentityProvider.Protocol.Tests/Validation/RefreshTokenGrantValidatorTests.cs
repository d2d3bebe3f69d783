using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Protocol.Tests.Fakes;
using IdentityProvider.Protocol.Validation;
using IdentityProvider.Protocol.Validation.Grants;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Protocol.Tests.Validation;

public sealed class RefreshTokenGrantValidatorTests
{
    private const string Token = "refresh-token-of-grant-1";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryGrantStore _grants = new();
    private readonly InMemoryUserClaimsStore _users = new("alice");

    [Fact]
    public async Task Issues_WithTheGrantsScopes_WhenNoScopeIsRequested()
    {
        await StoreGrantAsync();

        var result = await ValidateAsync(Web(), ValidRequest());

        Assert.True(result.Succeeded);
        Assert.Equal(GrantTypes.RefreshToken, result.Value.GrantType);
        Assert.Equal(["openid", "profile", "offline_access"], result.Value.Scopes);
        Assert.Equal("grant-1", result.Value.Grant?.GrantId);
        Assert.False(result.Value.IsNewGrant);
    }

    [Fact]
    public async Task Rejects_WhenTheRefreshTokenIsMissing()
    {
        await StoreGrantAsync();
        var request = ValidRequest();
        request.Remove("refresh_token");

        var result = await ValidateAsync(Web(), request);

        Assert.Equal(ErrorCodes.InvalidRequest, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheClientIsNotRegisteredForTheGrant()
    {
        await StoreGrantAsync();

        var result = await ValidateAsync(Web(grantTypes: [GrantTypes.AuthorizationCode]), ValidRequest());

        Assert.Equal(ErrorCodes.UnauthorizedClient, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheScopeIsWidened_AndKeepsTheTokenUsable()
    {
        await StoreGrantAsync();
        var widened = ValidRequest();
        widened["scope"] = "openid email";

        var rejected = await ValidateAsync(Web(), widened);
        var retried = await ValidateAsync(Web(), ValidRequest());

        Assert.Equal(ErrorCodes.InvalidScope, rejected.Error?.Error);
        Assert.True(retried.Succeeded);
        Assert.False(_grants.IsRevoked("grant-1"));
    }

    [Fact]
    public async Task Issues_WithTheNarrowerScope_WhenTheScopeIsNarrowed()
    {
        await StoreGrantAsync();
        var request = ValidRequest();
        request["scope"] = "openid";

        var result = await ValidateAsync(Web(), request);

        Assert.True(result.Succeeded);
        Assert.Equal(["openid"], result.Value.Scopes);
        Assert.Equal(["openid", "profile", "offline_access"], result.Value.Grant?.Scopes);
    }

    [Fact]
    public async Task Rejects_TheReusedToken_AndRevokesTheWholeGrant()
    {
        await StoreGrantAsync();
        var first = await ValidateAsync(Web(), ValidRequest());

        var second = await ValidateAsync(Web(), ValidRequest());

        Assert.True(first.Succeeded);
        Assert.Equal(ErrorCodes.InvalidGrant, second.Error?.Error);
        Assert.True(_grants.IsRevoked("grant-1"));
    }

    [Fact]
    public async Task Rejects_ARotatedSuccessor_AfterReuseRevokedTheGrant()
    {
        await StoreGrantAsync();
        await ValidateAsync(Web(), ValidRequest());
        await _grants.AddRefreshTokenAsync(OpaqueTokens.Hash("successor"), "grant-1", Now.AddDays(30), CancellationToken.None);
        await ValidateAsync(Web(), ValidRequest());
        var request = ValidRequest();
        request["refresh_token"] = "successor";

        var result = await ValidateAsync(Web(), request);

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsUnknown()
    {
        await StoreGrantAsync();
        var request = ValidRequest();
        request["refresh_token"] = "never-issued";

        var result = await ValidateAsync(Web(), request);

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheTokenBelongsToAnotherClient_WithoutConsumingIt()
    {
        await StoreGrantAsync();

        var stolen = await ValidateAsync(Web(clientId: "other"), ValidRequest());
        var owner = await ValidateAsync(Web(), ValidRequest());

        Assert.Equal(ErrorCodes.InvalidGrant, stolen.Error?.Error);
        Assert.True(owner.Succeeded);
    }

    [Fact]
    public async Task Rejects_WhenTheTokenHasExpired()
    {
        await StoreGrantAsync();
        _time.Advance(TimeSpan.FromDays(31));

        var result = await ValidateAsync(Web(), ValidRequest());

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheGrantWasRevoked()
    {
        await StoreGrantAsync();
        await _grants.RevokeAsync("grant-1", Now, CancellationToken.None);

        var result = await ValidateAsync(Web(), ValidRequest());

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheUserWasDisabled_AndRevokesTheGrant()
    {
        await StoreGrantAsync();
        _users.Disable("alice");

        var result = await ValidateAsync(Web(), ValidRequest());

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
        Assert.True(_grants.IsRevoked("grant-1"));
    }

    private async Task StoreGrantAsync()
    {
        await _grants.CreateAsync(new GrantRecord(
            "grant-1", "web", "alice", "session-1", ["openid", "profile", "offline_access"],
            Now.AddHours(-1), ["pwd"], null, Now.AddHours(-1), Now.AddDays(60)), CancellationToken.None);
        await _grants.AddRefreshTokenAsync(OpaqueTokens.Hash(Token), "grant-1", Now.AddDays(30), CancellationToken.None);
    }

    private static Dictionary<string, string> ValidRequest() => new()
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = Token,
    };

    private static AuthenticatedClient Web(string clientId = "web", string[]? grantTypes = null) =>
        new(new ClientDefinition
        {
            ClientId = clientId,
            DisplayName = "Web",
            TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic,
            AllowedGrantTypes = (grantTypes ?? [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken]).ToHashSet(),
            AllowedScopes = new HashSet<string> { "openid", "profile", "email", "offline_access" },
        }, ClientAuthenticationMethods.ClientSecretBasic);

    private Task<ProtocolResult<ValidatedTokenRequest>> ValidateAsync(AuthenticatedClient client, Dictionary<string, string> request)
    {
        var parsed = ProtocolRequest.Parse(request.Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value)), new ProtocolLimitsOptions());
        Assert.True(parsed.Succeeded);
        return new RefreshTokenGrantValidator(_grants, _users, _time, NullLogger<RefreshTokenGrantValidator>.Instance)
            .ValidateAsync(client, parsed.Value, CancellationToken.None);
    }
}
