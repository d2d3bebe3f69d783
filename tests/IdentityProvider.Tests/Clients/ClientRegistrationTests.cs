using IdentityProvider.Admin.Clients;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Stores;
using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Clients;

public sealed class ClientRegistrationTests : IAsyncLifetime
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private readonly IdentityProviderFactory _factory;
    private AsyncServiceScope _scope;

    public ClientRegistrationTests() => _factory = new IdentityProviderFactory(_database);

    private ClientManager Manager => _scope.ServiceProvider.GetRequiredService<ClientManager>();

    private IClientStore Store => _scope.ServiceProvider.GetRequiredService<IClientStore>();

    public Task InitializeAsync()
    {
        _scope = _factory.Services.CreateAsyncScope();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Add_StoresOnlyTheHashOfAGeneratedSecret_AndAudits()
    {
        var result = await Manager.AddAsync(Crm(), "tester", CancellationToken.None);

        Assert.True(result.Succeeded, string.Join(" ", result.Errors));
        Assert.NotNull(result.NewSecret);
        Assert.True(result.NewSecret!.Length >= 43, "256 bits, base64url");
        var stored = await _factory.WithDbAsync(db => db.ClientSecrets.SingleAsync());
        Assert.NotEqual(result.NewSecret, stored.SecretHash);
        Assert.True(ClientSecretHasher.Matches(result.NewSecret, stored.SecretHash));
        Assert.True(await _factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.ClientCreated && e.TargetId == "crm")));

        var client = await Store.FindByIdAsync("crm", CancellationToken.None);
        Assert.NotNull(client);
        Assert.Equal(["https://crm.example.com/signin-oidc"], client!.RedirectUris);
        Assert.Equal(ClientAuthenticationMethods.ClientSecretBasic, client.TokenEndpointAuthMethod);
        Assert.Contains(GrantTypes.RefreshToken, client.AllowedGrantTypes);
    }

    [Theory]
    [InlineData("https://crm.example.com/cb#frag", "must not contain a fragment")]
    [InlineData("http://crm.example.com/cb", "must use https")]
    [InlineData("/relative/cb", "not an absolute URI")]
    [InlineData("javascript:alert(1)", "forbidden scheme")]
    public async Task Rejects_WhenARedirectUriIsUnsafe(string redirectUri, string message)
    {
        var registration = Crm();
        registration.RedirectUris = [redirectUri];

        var result = await Manager.AddAsync(registration, "tester", CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Contains(message, StringComparison.Ordinal));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.Clients.CountAsync()));
    }

    [Fact]
    public async Task Accepts_PlainHttpForLoopbackRedirects()
    {
        var registration = Crm();
        registration.RedirectUris = ["http://localhost:5100/signin-oidc", "http://127.0.0.1:7000/cb"];

        Assert.True((await Manager.AddAsync(registration, "tester", CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task Rejects_WhenAPublicClientAsksForClientCredentials()
    {
        var registration = Crm();
        registration.Type = ClientType.Public;
        registration.GrantTypes = [GrantTypes.ClientCredentials];

        var result = await Manager.AddAsync(registration, "tester", CancellationToken.None);

        Assert.Contains(result.Errors, e => e.Contains("public client cannot use client_credentials", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rejects_ADuplicateClientId()
    {
        await Manager.AddAsync(Crm(), "tester", CancellationToken.None);

        var second = await Manager.AddAsync(Crm(), "tester", CancellationToken.None);

        Assert.Contains(second.Errors, e => e.Contains("already exists", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RotateSecret_KeepsTheOldSecretForTheOverlapOnly()
    {
        var first = await Manager.AddAsync(Crm(), "tester", CancellationToken.None);

        var rotated = await Manager.RotateSecretAsync("crm", TimeSpan.FromHours(2), "tester", CancellationToken.None);

        var client = await Store.FindByIdAsync("crm", CancellationToken.None);
        Assert.Equal(2, client!.Secrets.Count);
        var old = Assert.Single(client.Secrets, s => ClientSecretHasher.Matches(first.NewSecret!, s.Sha256Hex));
        Assert.NotNull(old.ExpiresAt);
        var fresh = Assert.Single(client.Secrets, s => ClientSecretHasher.Matches(rotated.NewSecret!, s.Sha256Hex));
        Assert.Null(fresh.ExpiresAt);
    }

    [Fact]
    public async Task Remove_MakesTheClientUnknownAtOnceOnThisNode()
    {
        await Manager.AddAsync(Crm(), "tester", CancellationToken.None);
        Assert.NotNull(await Store.FindByIdAsync("crm", CancellationToken.None));

        Assert.True(await Manager.RemoveAsync("crm", "tester", CancellationToken.None));

        Assert.Null(await Store.FindByIdAsync("crm", CancellationToken.None));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.ClientSecrets.CountAsync()));
    }

    private static ClientRegistration Crm() => new()
    {
        ClientId = "crm",
        DisplayName = "Sample CRM",
        RedirectUris = ["https://crm.example.com/signin-oidc"],
        GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
        Scopes = ["openid", "profile", "email", "offline_access"],
    };

    public async Task DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _factory.DisposeAsync();
        _database.Dispose();
    }
}
