using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Protocol.Tests.Fakes;
using IdentityProvider.Protocol.Validation;
using IdentityProvider.Protocol.Validation.Grants;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Protocol.Tests.Validation;

public sealed class AuthorizationCodeGrantValidatorTests
{
    private const string Code = "code-issued-to-web";
    private const string RedirectUri = "https://app.example.com/callback";

    // RFC 7636 Appendix B
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private const string Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AuthTime = Now.AddMinutes(-3);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryAuthorizationCodeStore _codes = new();
    private readonly InMemoryGrantStore _grants = new();
    private readonly InMemoryUserClaimsStore _users = new("alice");
    private readonly OpenIdServerOptions _server = new();

    [Fact]
    public async Task Issues_WithEverythingTheCodeStandsFor()
    {
        await StoreCodeAsync();

        var result = await ValidateAsync(Web(), ValidRequest());

        Assert.True(result.Succeeded);
        var validated = result.Value;
        Assert.Equal(GrantTypes.AuthorizationCode, validated.GrantType);
        Assert.Equal(["openid", "profile", "offline_access"], validated.Scopes);
        Assert.Equal("n-0S6", validated.Nonce);
        Assert.True(validated.IsNewGrant);
        Assert.Equal("alice", validated.Subject);
        var grant = validated.Grant!;
        Assert.Equal(("grant-1", "web", "alice", "session-1"), (grant.GrantId, grant.ClientId, grant.Subject, grant.SessionId));
        Assert.Equal(AuthTime, grant.AuthTime);
        Assert.Equal(["pwd", "otp", "mfa"], grant.Amr);
        Assert.Equal("urn:acr:mfa", grant.Acr);
        Assert.Equal(Now, grant.CreatedAt);
        Assert.Equal(Now + _server.RefreshTokenAbsoluteLifetime, grant.ExpiresAt);
    }

    [Fact]
    public async Task Rejects_WhenTheCodeIsMissing()
    {
        await StoreCodeAsync();
        var request = ValidRequest();
        request.Remove("code");

        var result = await ValidateAsync(Web(), request);

        Assert.Equal(ErrorCodes.InvalidRequest, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheClientIsNotRegisteredForTheGrant()
    {
        await StoreCodeAsync();

        var result = await ValidateAsync(Web(grantTypes: [GrantTypes.ClientCredentials]), ValidRequest());

        Assert.Equal(ErrorCodes.UnauthorizedClient, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheCodeIsUnknown()
    {
        await StoreCodeAsync();
        var request = ValidRequest();
        request["code"] = "never-issued";

        var result = await ValidateAsync(Web(), request);

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheCodeHasExpired()
    {
        await StoreCodeAsync();
        _time.Advance(TimeSpan.FromMinutes(1));

        var result = await ValidateAsync(Web(), ValidRequest());

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_TheSecondRedemption_AndRevokesTheGrantTheFirstIssued()
    {
        await StoreCodeAsync();
        var first = await ValidateAsync(Web(), ValidRequest());

        var second = await ValidateAsync(Web(), ValidRequest());

        Assert.True(first.Succeeded);
        Assert.Equal(ErrorCodes.InvalidGrant, second.Error?.Error);
        Assert.True(_grants.IsRevoked("grant-1"));
    }

    [Fact]
    public async Task Rejects_WhenTheCodeWasIssuedToAnotherClient_WithoutRevokingTheGrant()
    {
        await StoreCodeAsync();

        var result = await ValidateAsync(Web(clientId: "other"), ValidRequest());

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
        Assert.False(_grants.IsRevoked("grant-1"));
    }

    [Fact]
    public async Task Issues_ToTheRightClient_AfterAnotherClientTriedTheCode()
    {
        await StoreCodeAsync();
        await ValidateAsync(Web(clientId: "other"), ValidRequest());

        var result = await ValidateAsync(Web(), ValidRequest());

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("https://app.example.com/callback/")]
    [InlineData("https://app.example.com/other")]
    public async Task Rejects_WhenTheRedirectUriDiffersFromTheAuthorizationRequest(string? redirectUri)
    {
        await StoreCodeAsync();
        var request = ValidRequest();
        if (redirectUri is null)
        {
            request.Remove("redirect_uri");
        }
        else
        {
            request["redirect_uri"] = redirectUri;
        }

        var result = await ValidateAsync(Web(), request);

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheVerifierIsWrong()
    {
        await StoreCodeAsync();
        var request = ValidRequest();
        request["code_verifier"] = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

        var result = await ValidateAsync(Web(), request);

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_TheRightVerifier_AfterAWrongOneUsedUpTheCode()
    {
        // A failed PKCE check still consumes the code, so a verifier cannot be guessed in several tries.
        await StoreCodeAsync();
        var wrong = ValidRequest();
        wrong["code_verifier"] = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        await ValidateAsync(Web(), wrong);

        var result = await ValidateAsync(Web(), ValidRequest());

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheVerifierIsMissing()
    {
        await StoreCodeAsync();
        var request = ValidRequest();
        request.Remove("code_verifier");

        var result = await ValidateAsync(Web(), request);

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenAVerifierIsSentForACodeIssuedWithoutAChallenge()
    {
        await StoreCodeAsync(challenge: null);

        var result = await ValidateAsync(Web(), ValidRequest());

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    [Fact]
    public async Task Issues_WithoutAVerifier_ForACodeIssuedWithoutAChallenge()
    {
        await StoreCodeAsync(challenge: null);
        var request = ValidRequest();
        request.Remove("code_verifier");

        var result = await ValidateAsync(Web(), request);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Rejects_WhenTheUserWasDisabledAfterTheCodeWasIssued()
    {
        await StoreCodeAsync();
        _users.Disable("alice");

        var result = await ValidateAsync(Web(), ValidRequest());

        Assert.Equal(ErrorCodes.InvalidGrant, result.Error?.Error);
    }

    private Task StoreCodeAsync(string? challenge = Challenge) =>
        _codes.StoreAsync(OpaqueTokens.Hash(Code), new AuthorizationCodeRecord(
            ClientId: "web",
            GrantId: "grant-1",
            Subject: "alice",
            SessionId: "session-1",
            RedirectUri: RedirectUri,
            Scopes: ["openid", "profile", "offline_access"],
            Nonce: "n-0S6",
            CodeChallenge: challenge,
            AuthTime: AuthTime,
            Amr: ["pwd", "otp", "mfa"],
            Acr: "urn:acr:mfa",
            ExpiresAt: Now.AddSeconds(60)), CancellationToken.None);

    private static Dictionary<string, string> ValidRequest() => new()
    {
        ["grant_type"] = "authorization_code",
        ["code"] = Code,
        ["redirect_uri"] = RedirectUri,
        ["code_verifier"] = Verifier,
    };

    private static AuthenticatedClient Web(string clientId = "web", string[]? grantTypes = null) =>
        new(new ClientDefinition
        {
            ClientId = clientId,
            DisplayName = "Web",
            TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic,
            RedirectUris = [RedirectUri],
            AllowedGrantTypes = (grantTypes ?? [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken]).ToHashSet(),
            AllowedScopes = new HashSet<string> { "openid", "profile", "offline_access" },
        }, ClientAuthenticationMethods.ClientSecretBasic);

    private Task<ProtocolResult<ValidatedTokenRequest>> ValidateAsync(AuthenticatedClient client, Dictionary<string, string> request)
    {
        var parsed = ProtocolRequest.Parse(request.Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value)), new ProtocolLimitsOptions());
        Assert.True(parsed.Succeeded);
        var validator = new AuthorizationCodeGrantValidator(
            _codes, _grants, _users, _time, Options.Create(_server), NullLogger<AuthorizationCodeGrantValidator>.Instance);
        return validator.ValidateAsync(client, parsed.Value, CancellationToken.None);
    }
}
