using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Tests.Fakes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Protocol.Tests.ClientAuthentication;

public sealed class ClientAuthenticatorTests
{
    private const string Secret = "s3cret+with/odd:chars";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly ECDsa _clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly OpenIdServerOptions _server = new() { Issuer = "https://id.example.com" };

    [Fact]
    public async Task Issues_WhenBasicCredentialsMatch()
    {
        var result = await AuthenticateAsync(Basic("api", Secret), new());

        Assert.True(result.Succeeded);
        Assert.Equal(("api", ClientAuthenticationMethods.ClientSecretBasic), (result.Value.Client.ClientId, result.Value.Method));
    }

    [Fact]
    public async Task Rejects_WhenTheBasicSecretIsWrong_With401()
    {
        var result = await AuthenticateAsync(Basic("api", "wrong"), new());

        Assert.Equal((ErrorCodes.InvalidClient, 401), (result.Error?.Error, result.Error?.StatusCode));
    }

    [Fact]
    public async Task Rejects_WhenTheSecretHasExpired()
    {
        var result = await AuthenticateAsync(Basic("rotated", Secret), new());

        Assert.Equal(ErrorCodes.InvalidClient, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheClientUsesAMethodItDidNotRegister()
    {
        var result = await AuthenticateAsync(null, new() { ["client_id"] = "api", ["client_secret"] = Secret });

        Assert.Equal((ErrorCodes.InvalidClient, 400), (result.Error?.Error, result.Error?.StatusCode));
    }

    [Fact]
    public async Task Issues_WhenPostCredentialsMatchAPostClient()
    {
        var result = await AuthenticateAsync(null, new() { ["client_id"] = "posting", ["client_secret"] = Secret });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Rejects_WhenTwoMethodsAreUsed()
    {
        var result = await AuthenticateAsync(Basic("api", Secret), new() { ["client_secret"] = Secret });

        Assert.Equal(ErrorCodes.InvalidRequest, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheBodyClientIdDiffersFromTheHeader()
    {
        var result = await AuthenticateAsync(Basic("api", Secret), new() { ["client_id"] = "posting" });

        Assert.Equal(ErrorCodes.InvalidRequest, result.Error?.Error);
    }

    [Theory]
    [InlineData("Basic not-base64!")]
    [InlineData("Basic Zm9v")]
    [InlineData("Bearer abc")]
    public async Task Rejects_WhenTheAuthorizationHeaderIsMalformed(string header)
    {
        var result = await AuthenticateAsync(header, new());

        Assert.Equal((ErrorCodes.InvalidClient, 401), (result.Error?.Error, result.Error?.StatusCode));
    }

    [Fact]
    public async Task Rejects_WhenTheClientIsUnknown()
    {
        var result = await AuthenticateAsync(Basic("nobody", Secret), new());

        Assert.Equal(ErrorCodes.InvalidClient, result.Error?.Error);
    }

    [Fact]
    public async Task Issues_ForAPublicClientNamingItself()
    {
        var result = await AuthenticateAsync(null, new() { ["client_id"] = "spa" });

        Assert.True(result.Succeeded);
        Assert.Equal(ClientAuthenticationMethods.None, result.Value.Method);
    }

    [Fact]
    public async Task Rejects_WhenAConfidentialClientSendsNoCredentials()
    {
        var result = await AuthenticateAsync(null, new() { ["client_id"] = "api" });

        Assert.Equal(ErrorCodes.InvalidClient, result.Error?.Error);
    }

    [Fact]
    public async Task Issues_WhenThePrivateKeyJwtAssertionIsValid()
    {
        var result = await AuthenticateAsync(null, Assertion(CreateAssertion()));

        Assert.True(result.Succeeded);
        Assert.Equal(ClientAuthenticationMethods.PrivateKeyJwt, result.Value.Method);
    }

    [Fact]
    public async Task Rejects_WhenAnAssertionIsReplayed()
    {
        var assertion = CreateAssertion();
        var authenticator = CreateAuthenticator();

        var first = await authenticator.AuthenticateAsync(Http(null), Request(Assertion(assertion)), CancellationToken.None);
        var second = await authenticator.AuthenticateAsync(Http(null), Request(Assertion(assertion)), CancellationToken.None);

        Assert.True(first.Succeeded);
        Assert.Equal(ErrorCodes.InvalidClient, second.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheAssertionHasExpired()
    {
        var assertion = CreateAssertion();
        _time.Advance(TimeSpan.FromMinutes(4));

        var result = await AuthenticateAsync(null, Assertion(assertion));

        Assert.Equal(ErrorCodes.InvalidClient, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheAssertionIsForAnotherAudience()
    {
        var result = await AuthenticateAsync(null, Assertion(CreateAssertion(audience: "https://other.example.com/token")));

        Assert.Equal(ErrorCodes.InvalidClient, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheAssertionIsSignedByAnotherKey()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await AuthenticateAsync(null, Assertion(CreateAssertion(signingKey: otherKey)));

        Assert.Equal(ErrorCodes.InvalidClient, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheAssertionIsUnsigned()
    {
        var unsigned = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "signed", Audience = _server.TokenEndpoint, Expires = Now.AddMinutes(2).UtcDateTime,
            IssuedAt = Now.UtcDateTime, NotBefore = Now.UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = "signed", ["jti"] = Guid.NewGuid().ToString() },
        });

        var result = await AuthenticateAsync(null, Assertion(unsigned));

        Assert.Equal(ErrorCodes.InvalidClient, result.Error?.Error);
    }

    [Fact]
    public async Task Rejects_WhenTheAssertionTypeIsWrong()
    {
        var form = Assertion(CreateAssertion());
        form["client_assertion_type"] = "urn:something:else";

        var result = await AuthenticateAsync(null, form);

        Assert.Equal(ErrorCodes.InvalidRequest, result.Error?.Error);
    }

    private Task<ProtocolResult<AuthenticatedClient>> AuthenticateAsync(string? authorization, Dictionary<string, string> form) =>
        CreateAuthenticator().AuthenticateAsync(Http(authorization), Request(form), CancellationToken.None);

    private ClientAuthenticator CreateAuthenticator()
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(_clientKey) { KeyId = "k1" });
        var jwks = $$"""{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"{{jwk.X}}","y":"{{jwk.Y}}"}]}""";
        var hash = ClientSecretHasher.Hash(Secret);
        var store = new FakeClientStore(
            new ClientDefinition { ClientId = "api", DisplayName = "API", TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic, Secrets = [new(hash, null)] },
            new ClientDefinition { ClientId = "posting", DisplayName = "Posting", TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretPost, Secrets = [new(hash, null)] },
            new ClientDefinition { ClientId = "rotated", DisplayName = "Rotated", TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic, Secrets = [new(hash, Now.AddSeconds(-1))] },
            new ClientDefinition { ClientId = "spa", DisplayName = "SPA", Type = ClientType.Public, TokenEndpointAuthMethod = ClientAuthenticationMethods.None },
            new ClientDefinition { ClientId = "signed", DisplayName = "Signed", TokenEndpointAuthMethod = ClientAuthenticationMethods.PrivateKeyJwt, Jwks = jwks });
        var assertions = new PrivateKeyJwtValidator(_replays, _time, Options.Create(_server), NullLogger<PrivateKeyJwtValidator>.Instance);
        return new ClientAuthenticator(store, assertions, _time, NullLogger<ClientAuthenticator>.Instance);
    }

    private readonly InMemoryReplayCache _replays = new();

    private string CreateAssertion(string? audience = null, ECDsa? signingKey = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "signed",
            Audience = audience ?? _server.TokenEndpoint,
            IssuedAt = Now.UtcDateTime,
            NotBefore = Now.UtcDateTime,
            Expires = Now.AddMinutes(2).UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = "signed", ["jti"] = Guid.NewGuid().ToString() },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(signingKey ?? _clientKey) { KeyId = "k1" }, SecurityAlgorithms.EcdsaSha256),
        });

    private static Dictionary<string, string> Assertion(string assertion) => new()
    {
        ["client_assertion_type"] = PresentedClientCredentials.JwtBearerAssertionType,
        ["client_assertion"] = assertion,
    };

    private static string Basic(string id, string secret) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}"));

    private static HttpRequest Http(string? authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context.Request;
    }

    private static ProtocolRequest Request(Dictionary<string, string> form)
    {
        var parsed = ProtocolRequest.Parse(form.Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value)), new ProtocolLimitsOptions());
        Assert.True(parsed.Succeeded);
        return parsed.Value;
    }
}
