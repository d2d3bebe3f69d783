using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Tests.Protocol;

public sealed class SqliteTokenEndpointClientCredentialsTests : TokenEndpointClientCredentialsTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresTokenEndpointClientCredentialsTests(PostgresCluster cluster) : TokenEndpointClientCredentialsTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

public abstract class TokenEndpointClientCredentialsTests : IAsyncLifetime
{
    private const string TokenPath = "/connect/token";
    private readonly ECDsa _assertionKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private HttpClient _client = null!;
    private string _secret = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database);
        _client = _factory.CreateBrowserlessClient();
        await using var scope = _factory.Services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
        _secret = (await clients.AddAsync(new ClientRegistration
        {
            ClientId = "reports",
            GrantTypes = [GrantTypes.ClientCredentials],
            Scopes = ["reports.read", "reports.write"],
        }, "test", CancellationToken.None)).NewSecret!;
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(_assertionKey) { KeyId = "k1" });
        var signed = await clients.AddAsync(new ClientRegistration
        {
            ClientId = "signed",
            TokenEndpointAuthMethod = ClientAuthenticationMethods.PrivateKeyJwt,
            Jwks = $$"""{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"{{jwk.X}}","y":"{{jwk.Y}}"}]}""",
            GrantTypes = [GrantTypes.ClientCredentials],
            Scopes = ["reports.read"],
        }, "test", CancellationToken.None);
        Assert.True(signed.Succeeded, string.Join(" ", signed.Errors));
        await clients.AddAsync(new ClientRegistration
        {
            ClientId = "webapp",
            RedirectUris = ["https://app.example.com/cb"],
            GrantTypes = [GrantTypes.AuthorizationCode],
        }, "test", CancellationToken.None);
    }

    [Fact]
    public async Task Issues_AnRfc9068AccessToken_ThatVerifiesAgainstTheJwks()
    {
        var response = await PostAsync(Basic("reports", _secret), ("grant_type", "client_credentials"), ("scope", "reports.read"));
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt32());
        Assert.Equal("reports.read", body.GetProperty("scope").GetString());
        Assert.False(body.TryGetProperty("refresh_token", out _));
        Assert.False(body.TryGetProperty("id_token", out _));

        var jwks = new JsonWebKeySet(await _client.GetStringAsync("/.well-known/jwks"));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(body.GetProperty("access_token").GetString(), new TokenValidationParameters
        {
            ValidIssuer = IdentityProviderFactory.Issuer,
            ValidAudience = IdentityProviderFactory.Issuer + "/resources",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);
        var token = (JsonWebToken)validation.SecurityToken;
        Assert.Equal("reports", token.Subject);
        Assert.Equal("reports", token.GetClaim("client_id").Value);
        Assert.Equal("reports.read", token.GetClaim("scope").Value);
        Assert.False(string.IsNullOrEmpty(token.Id));
    }

    [Fact]
    public async Task Issues_WithPrivateKeyJwt_AndRefusesTheSameAssertionTwice()
    {
        var assertion = Assertion();

        var first = await PostAsync(null, ("grant_type", "client_credentials"),
            ("client_assertion_type", PresentedClientCredentials.JwtBearerAssertionType), ("client_assertion", assertion));
        var replay = await PostAsync(null, ("grant_type", "client_credentials"),
            ("client_assertion_type", PresentedClientCredentials.JwtBearerAssertionType), ("client_assertion", assertion));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_client", (await JsonAsync(replay)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task ParallelReplaysOfOneAssertion_SucceedExactlyOnce()
    {
        var assertion = Assertion();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PostAsync(null, ("grant_type", "client_credentials"),
            ("client_assertion_type", PresentedClientCredentials.JwtBearerAssertionType), ("client_assertion", assertion))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.BadRequest }));
    }

    [Fact]
    public async Task Rejects_AWrongSecret_With401AndAChallenge()
    {
        var response = await PostAsync(Basic("reports", "wrong"), ("grant_type", "client_credentials"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("invalid_client", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("reports.read admin", "invalid_scope")]
    [InlineData("openid", "invalid_scope")]
    public async Task Rejects_ScopesTheClientMayNotHave(string scope, string error)
    {
        var response = await PostAsync(Basic("reports", _secret), ("grant_type", "client_credentials"), ("scope", scope));

        Assert.Equal(error, (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Rejects_AClientNotRegisteredForTheGrant()
    {
        var secret = await RotatedSecretAsync("webapp");

        var response = await PostAsync(Basic("webapp", secret), ("grant_type", "client_credentials"));

        Assert.Equal("unauthorized_client", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Rejects_AnUnknownGrantType()
    {
        var response = await PostAsync(Basic("reports", _secret), ("grant_type", "password"));

        Assert.Equal("unsupported_grant_type", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Rejects_AMissingOrRepeatedGrantType()
    {
        var missing = await PostAsync(Basic("reports", _secret), ("scope", "reports.read"));
        var repeated = await PostAsync(Basic("reports", _secret), ("grant_type", "client_credentials"), ("grant_type", "client_credentials"));

        Assert.Equal("invalid_request", (await JsonAsync(missing)).GetProperty("error").GetString());
        Assert.Equal("invalid_request", (await JsonAsync(repeated)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Rejects_AGet_AndAJsonBody()
    {
        var get = await _client.GetAsync(TokenPath + "?grant_type=client_credentials");
        using var json = new HttpRequestMessage(HttpMethod.Post, TokenPath)
        {
            Content = new StringContent("""{"grant_type":"client_credentials"}""", Encoding.UTF8, "application/json"),
        };
        json.Headers.Authorization = AuthenticationHeaderValue.Parse(Basic("reports", _secret));
        var jsonResponse = await _client.SendAsync(json);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("invalid_request", (await JsonAsync(get)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, jsonResponse.StatusCode);
        Assert.Equal("invalid_request", (await JsonAsync(jsonResponse)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task NeverLogsTheSecretOrTheToken()
    {
        var response = await PostAsync(Basic("reports", _secret), ("grant_type", "client_credentials"));
        var token = (await JsonAsync(response)).GetProperty("access_token").GetString()!;

        Assert.DoesNotContain(_factory.Logs.Lines, l => l.Contains(_secret, StringComparison.Ordinal) || l.Contains(token, StringComparison.Ordinal));
        Assert.Contains(_factory.Logs.Lines, l => l.Contains("Issued tokens for client_credentials to reports", StringComparison.Ordinal));
    }

    private async Task<string> RotatedSecretAsync(string clientId)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ClientManager>().RotateSecretAsync(clientId, TimeSpan.Zero, "test", CancellationToken.None)).NewSecret
            ?? throw new InvalidOperationException("webapp uses a secret");
    }

    private string Assertion() => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "signed",
        Audience = IdentityProviderFactory.Issuer + TokenPath,
        Expires = DateTime.UtcNow.AddMinutes(2),
        Claims = new Dictionary<string, object> { ["sub"] = "signed", ["jti"] = Guid.NewGuid().ToString() },
        SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_assertionKey) { KeyId = "k1" }, SecurityAlgorithms.EcdsaSha256),
    });

    private Task<HttpResponseMessage> PostAsync(string? authorization, params (string Name, string Value)[] form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, TokenPath)
        {
            Content = new FormUrlEncodedContent(form.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))),
        };
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        return _client.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static string Basic(string id, string secret) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}"));

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
        _assertionKey.Dispose();
    }
}
