using System.Text;
using System.Text.Json;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Tests.Interop;

/// <summary>
/// The server as certified relying-party libraries see it over real HTTP: openid-client 6 and jose
/// in Node (scripts in tests/interop), and Microsoft.IdentityModel from .NET.
/// </summary>
public sealed class SqliteOpenIdClientInteropTests : OpenIdClientInteropTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOpenIdClientInteropTests(PostgresCluster cluster) : OpenIdClientInteropTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

public abstract class OpenIdClientInteropTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private KestrelIdentityProvider _server = null!;

    private string Audience => _server.Issuer + "/resources";

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _server = await KestrelIdentityProvider.StartAsync(_database);
    }

    [Fact]
    public async Task Publishes_MetadataThatOpenIdClientDiscovers()
    {
        var result = await NodeScript.RunAsync("discovery", new { issuer = _server.Issuer, clientId = "any" });
        var metadata = result.GetProperty("metadata");

        Assert.Equal(_server.Issuer, metadata.GetProperty("issuer").GetString());
        Assert.Equal(_server.Issuer + "/connect/token", metadata.GetProperty("token_endpoint").GetString());
        Assert.Equal(_server.Issuer + "/.well-known/jwks", metadata.GetProperty("jwks_uri").GetString());
        Assert.Equal(["S256"], metadata.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.True(result.GetProperty("supportsPKCE").GetBoolean());
    }

    [Theory]
    [InlineData(ClientAuthenticationMethods.ClientSecretBasic)]
    [InlineData(ClientAuthenticationMethods.ClientSecretPost)]
    public async Task Issues_AnAccessTokenThatJoseVerifies_ToOpenIdClientsClientCredentialsGrant(string authMethod)
    {
        var secret = await RegisterAsync("reports", authMethod);

        var result = await NodeScript.RunAsync("client-credentials", new
        {
            issuer = _server.Issuer, clientId = "reports", clientSecret = secret, authMethod, scope = "reports.read", audience = Audience,
        });

        Assert.False(result.TryGetProperty("error", out var error), error.ToString());
        Assert.Equal("reports.read", result.GetProperty("scope").GetString());
        Assert.Equal("at+jwt", result.GetProperty("header").GetProperty("typ").GetString());
        var claims = result.GetProperty("claims");
        Assert.Equal("reports", claims.GetProperty("client_id").GetString());
        Assert.Equal("reports", claims.GetProperty("sub").GetString());
        Assert.Equal("reports.read", claims.GetProperty("scope").GetString());
        Assert.Equal(_server.Issuer, claims.GetProperty("iss").GetString());
    }

    [Fact]
    public async Task Rejects_WhenAPostedSecretIsWrong_WithInvalidClientAsOpenIdClientReportsIt()
    {
        await RegisterAsync("reports", ClientAuthenticationMethods.ClientSecretPost);

        var result = await NodeScript.RunAsync("client-credentials", new
        {
            issuer = _server.Issuer, clientId = "reports", clientSecret = "wrong", authMethod = ClientAuthenticationMethods.ClientSecretPost, audience = Audience,
        });

        var error = result.GetProperty("error");
        Assert.Equal("ResponseBodyError", error.GetProperty("name").GetString());
        Assert.Equal("invalid_client", error.GetProperty("error").GetString());
        Assert.Equal(400, error.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Rejects_WhenABasicSecretIsWrong_WithABasicChallengeAndInvalidClient()
    {
        await RegisterAsync("reports", ClientAuthenticationMethods.ClientSecretBasic);

        var result = await NodeScript.RunAsync("client-credentials", new
        {
            issuer = _server.Issuer, clientId = "reports", clientSecret = "wrong", authMethod = ClientAuthenticationMethods.ClientSecretBasic, audience = Audience,
        });

        // RFC 6749 §5.2 requires a 401 with WWW-Authenticate here, and openid-client reports any
        // challenge as WWWAuthenticateChallengeError before reading the body; the body still says invalid_client.
        var error = result.GetProperty("error");
        Assert.Equal("WWWAuthenticateChallengeError", error.GetProperty("name").GetString());
        Assert.Equal(401, error.GetProperty("status").GetInt32());
        Assert.Equal("basic", error.GetProperty("challenges")[0].GetProperty("scheme").GetString());
        Assert.Equal("invalid_client", error.GetProperty("body").GetProperty("error").GetString());
    }

    [Fact]
    public async Task Issues_ToAnAssertionSignedByOpenIdClient_WithPrivateKeyJwt()
    {
        var result = await NodeScript.RunAsync("private-key-jwt", new { issuer = _server.Issuer, scope = "reports.read" },
            async (step, payload) =>
            {
                Assert.Equal("register", step);
                await RegisterAsync("signed", ClientAuthenticationMethods.PrivateKeyJwt, payload.GetProperty("jwks").GetRawText());
                return new { clientId = "signed" };
            });

        Assert.Equal("reports.read", result.GetProperty("scope").GetString());
        Assert.Equal("signed", new JsonWebToken(result.GetProperty("access_token").GetString()).GetClaim("client_id").Value);
    }

    [Fact]
    public async Task Issues_AnAccessTokenThatIdentityModelValidates_WithKeysItDiscovered()
    {
        var secret = await RegisterAsync("reports", ClientAuthenticationMethods.ClientSecretBasic);
        var manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            _server.Issuer + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever { RequireHttps = false });

        var configuration = await manager.GetConfigurationAsync(CancellationToken.None);
        var accessToken = await RequestTokenAsync(configuration.TokenEndpoint, "reports", secret);
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = Audience,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidTypes = ["at+jwt"],
        });

        Assert.Equal(_server.Issuer, configuration.Issuer);
        Assert.NotEmpty(configuration.SigningKeys);
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal("reports", ((JsonWebToken)validation.SecurityToken).GetClaim("client_id").Value);
    }

    private async Task<string?> RegisterAsync(string clientId, string authMethod, string? jwks = null)
    {
        await using var scope = _server.Factory.Services.CreateAsyncScope();
        var change = await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = clientId,
            TokenEndpointAuthMethod = authMethod,
            Jwks = jwks,
            GrantTypes = [GrantTypes.ClientCredentials],
            Scopes = ["reports.read", "reports.write"],
        }, "test", CancellationToken.None);
        Assert.True(change.Succeeded, string.Join(" ", change.Errors));
        return change.NewSecret;
    }

    private async Task<string> RequestTokenAsync(string tokenEndpoint, string clientId, string? secret)
    {
        using var http = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        // RFC 6749 §2.3.1: both halves are form-encoded before Base64.
        var credentials = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret ?? "")}";
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _database.Dispose();
    }
}
