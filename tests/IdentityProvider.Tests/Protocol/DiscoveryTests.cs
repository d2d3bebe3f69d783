using System.Net;
using System.Text.Json;
using IdentityProvider.Persistence;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace IdentityProvider.Tests.Protocol;

public sealed class SqliteDiscoveryTests : DiscoveryTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDiscoveryTests(PostgresCluster cluster) : DiscoveryTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

public abstract class DiscoveryTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private HttpClient _client = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database);
        _client = _factory.CreateBrowserlessClient();
    }

    [Fact]
    public async Task Discovery_DescribesTheServerAtItsConfiguredIssuer()
    {
        var response = await _client.GetAsync("/.well-known/openid-configuration");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var metadata = document.RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(IdentityProviderFactory.Issuer, metadata.GetProperty("issuer").GetString());
        foreach (var endpoint in new[] { "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint", "introspection_endpoint", "revocation_endpoint" })
        {
            Assert.StartsWith(IdentityProviderFactory.Issuer + "/", metadata.GetProperty(endpoint).GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(["code"], Strings(metadata, "response_types_supported"));
        Assert.Equal(["S256"], Strings(metadata, "code_challenge_methods_supported"));
        Assert.Equal("RS256", Strings(metadata, "id_token_signing_alg_values_supported")[0]);
        Assert.Contains("private_key_jwt", Strings(metadata, "token_endpoint_auth_methods_supported"));
        Assert.True(metadata.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
    }

    [Fact]
    public async Task Jwks_PublishesTheSigningKeysWithoutPrivateParts()
    {
        var response = await _client.GetAsync("/.well-known/jwks");
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        var kids = document.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.MediaType);
        var stored = await _factory.WithDbAsync(db => db.SigningKeys.Select(k => k.KeyId).ToListAsync());
        Assert.Equal(stored.Order(), kids.Order());
        foreach (var privateMember in new[] { "\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"" })
        {
            Assert.DoesNotContain(privateMember, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ARelyingPartyLibrary_ReadsDiscoveryAndKeys()
    {
        var retriever = new HttpDocumentRetriever(_client) { RequireHttps = false };
        var manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            IdentityProviderFactory.Issuer + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), retriever);

        var configuration = await manager.GetConfigurationAsync(CancellationToken.None);

        Assert.Equal(IdentityProviderFactory.Issuer, configuration.Issuer);
        Assert.Equal(IdentityProviderFactory.Issuer + "/connect/token", configuration.TokenEndpoint);
        Assert.Equal(2, configuration.SigningKeys.Count);
    }

    [Fact]
    public async Task SigningKeys_SurviveARestart_AndArePrivateAtRest()
    {
        var before = await _client.GetStringAsync("/.well-known/jwks");
        _client.Dispose();
        await _factory.DisposeAsync();

        _factory = new IdentityProviderFactory(_database);
        _client = _factory.CreateBrowserlessClient();

        Assert.Equal(before, await _client.GetStringAsync("/.well-known/jwks"));
        var stored = await _factory.WithDbAsync(db => db.SigningKeys.Select(k => k.ProtectedPrivateKey).ToListAsync());
        Assert.All(stored, protectedKey => Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() =>
            System.Security.Cryptography.RSA.Create().ImportPkcs8PrivateKey(Convert.FromBase64String(protectedKey), out _)));
    }

    private static string[] Strings(JsonElement metadata, string name) =>
        metadata.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
    }
}

public sealed class IssuerConfigurationTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();

    [Theory]
    [InlineData("http://id.example.com")]
    [InlineData("https://id.example.com/?tenant=a")]
    [InlineData("id.example.com")]
    public void Rejects_AnIssuerThatIsNotASafeAbsoluteUrl(string issuer)
    {
        using var factory = new IdentityProviderFactory(_database).WithWebHostBuilder(b => b.UseSetting("Issuer", issuer));

        var error = Assert.ThrowsAny<Exception>(() => factory.Services);

        Assert.Contains("Issuer must be an absolute https URL", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _database.Dispose();
}
