using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Issuance;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Protocol.Tests.Fakes;
using IdentityProvider.Protocol.Validation;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Protocol.Tests.Validation;

public sealed class AccessTokenValidatorTests
{
    private const string GrantId = "grant-1";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly OpenIdServerOptions _server = new() { Issuer = "https://id.example.com" };
    private readonly InMemoryGrantStore _grants = new();
    private readonly FakeUserClaimsStore _users = new();
    private readonly SigningKeyRing _keys;

    public AccessTokenValidatorTests()
    {
        _keys = new SigningKeyRing(new InMemorySigningKeyStore(), new SigningKeyGenerator(new EphemeralDataProtectionProvider(), new GeneratedRsaKeyPairs()),
            _time, Options.Create(new SigningKeyOptions()), NullLogger<SigningKeyRing>.Instance);
        _users.Add(new UserClaims("alice", Name: "Alice"));
    }

    [Fact]
    public async Task Issues_TheTokensContent_ForAUserTokenOfAnActiveGrant()
    {
        var token = await UserTokenAsync();

        var result = await Validator().ValidateAsync(token, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal("alice", result.Value.Subject);
        Assert.Equal("crm", result.Value.ClientId);
        Assert.Equal(GrantId, result.Value.GrantId);
        Assert.Equal(["openid", "profile"], result.Value.Scopes);
        Assert.Equal("Alice", result.Value.User?.Name);
        Assert.Equal(_time.GetUtcNow() + _server.AccessTokenLifetime, result.Value.ExpiresAt);
    }

    [Fact]
    public async Task Issues_TheTokensContent_WithoutAUser_ForAClientCredentialsToken()
    {
        var token = await IssueAsync(new ValidatedTokenRequest(Client("reports"), GrantTypes.ClientCredentials, ["reports.read"]));

        var result = await Validator().ValidateAsync(token, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.False(result.Value.HasUser);
        Assert.Equal("reports", result.Value.Subject);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(29, true)]
    [InlineData(31, false)]
    public async Task Rejects_WhenExpiredBeyondTheSkew(int secondsPastExpiry, bool valid)
    {
        var token = await UserTokenAsync();
        _time.Advance(_server.AccessTokenLifetime + TimeSpan.FromSeconds(secondsPastExpiry));

        var result = await Validator().ValidateAsync(token, CancellationToken.None);

        Assert.Equal(valid, result.Succeeded);
    }

    [Fact]
    public async Task Rejects_WhenTheGrantIsRevoked()
    {
        var token = await UserTokenAsync();
        await _grants.RevokeAsync(GrantId, _time.GetUtcNow(), CancellationToken.None);

        var result = await Validator().ValidateAsync(token, CancellationToken.None);

        Assert.Equal(ErrorCodes.InvalidToken, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheUserIsNoLongerActive()
    {
        var token = await UserTokenAsync();
        _users.Disable("alice");

        Assert.False((await Validator().ValidateAsync(token, CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task Rejects_WhenTheAudienceIsAnotherOne()
    {
        var token = await UserTokenAsync();
        _server.AccessTokenAudience = "https://api.example.com";

        Assert.False((await Validator().ValidateAsync(token, CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task Rejects_WhenTheIssuerIsAnotherOne()
    {
        var token = await UserTokenAsync();
        _server.Issuer = "https://other.example.com";
        _server.AccessTokenAudience = "https://id.example.com/resources";

        Assert.False((await Validator().ValidateAsync(token, CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsNotTypedAsAnAccessToken()
    {
        // An ID token-like JWT with every other claim right, signed with our own key.
        var idToken = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "JWT",
            Issuer = _server.Issuer,
            Audience = _server.ResolvedAccessTokenAudience,
            Expires = _time.GetUtcNow().AddMinutes(5).UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = "reports", ["client_id"] = "reports" },
            SigningCredentials = await _keys.GetSigningCredentialsAsync(SigningAlgorithms.ES256, CancellationToken.None),
        });

        Assert.False((await Validator().ValidateAsync(idToken, CancellationToken.None)).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJhbGljZSJ9.")]
    public async Task Rejects_Garbage_WithoutThrowing(string token)
    {
        var result = await Validator().ValidateAsync(token, CancellationToken.None);

        Assert.Equal(ErrorCodes.InvalidToken, result.Error?.Error);
    }

    private AccessTokenValidator Validator() =>
        new(_keys, _grants, _users, _time, Options.Create(_server), NullLogger<AccessTokenValidator>.Instance);

    private async Task<string> UserTokenAsync()
    {
        var now = _time.GetUtcNow();
        var grant = new GrantRecord(GrantId, "crm", "alice", "sid-1", ["openid", "profile"], now, ["pwd"], null, now, now.AddDays(30));
        await _grants.CreateAsync(grant, CancellationToken.None);
        return await IssueAsync(new ValidatedTokenRequest(Client("crm"), GrantTypes.AuthorizationCode, grant.Scopes, grant));
    }

    private async Task<string> IssueAsync(ValidatedTokenRequest request) =>
        (await new AccessTokenIssuer(_keys, _time, Options.Create(_server), Options.Create(new SigningKeyOptions()))
            .IssueAsync(request, CancellationToken.None)).Token;

    private static AuthenticatedClient Client(string clientId) => new(
        new ClientDefinition { ClientId = clientId, DisplayName = clientId, TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic },
        ClientAuthenticationMethods.ClientSecretBasic);
}
