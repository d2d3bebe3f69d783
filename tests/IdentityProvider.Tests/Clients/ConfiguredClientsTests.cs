using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Clients;

public sealed class ConfiguredClientsTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private readonly string _clientsFile = Path.Combine(Path.GetTempPath(), $"clients-{Guid.NewGuid():N}.json");

    [Fact]
    public async Task ClientsFile_IsAppliedAtStartup_AndAgainWithoutDuplicates()
    {
        await File.WriteAllTextAsync(_clientsFile, """
            { "Clients": [ {
                "ClientId": "crm", "DisplayName": "Sample CRM", "Secret": "crm-development-secret",
                "RedirectUris": [ "http://localhost:5100/signin-oidc" ],
                "GrantTypes": [ "authorization_code", "refresh_token" ], "Scopes": [ "openid", "profile" ] } ] }
            """);

        for (var start = 0; start < 2; start++)
        {
            await using var factory = new IdentityProviderFactory(_database).WithWebHostBuilder(b => b.UseSetting("ClientsFile", _clientsFile));
            var client = await factory.Services.GetRequiredService<IClientStore>().FindByIdAsync("crm", CancellationToken.None);
            Assert.NotNull(client);
            Assert.True(ClientSecretHasher.Matches("crm-development-secret", Assert.Single(client!.Secrets).Sha256Hex));
            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityProvider.Persistence.IdentityProviderDbContext>();
            Assert.Equal(1, await db.Clients.CountAsync());
            Assert.Equal(1, await db.ClientSecrets.CountAsync());
        }
    }

    [Fact]
    public async Task AnInvalidConfiguredClient_StopsStartupWithItsName()
    {
        await File.WriteAllTextAsync(_clientsFile, """
            { "Clients": [ { "ClientId": "broken", "GrantTypes": [ "authorization_code" ], "RedirectUris": [ "http://evil.example.com/cb" ] } ] }
            """);
        await using var factory = new IdentityProviderFactory(_database).WithWebHostBuilder(b => b.UseSetting("ClientsFile", _clientsFile));

        var error = Assert.Throws<InvalidOperationException>(() => factory.Services);

        Assert.Contains("Client 'broken' in configuration is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("must use https", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        File.Delete(_clientsFile);
        _database.Dispose();
    }
}
