using IdentityProvider.Persistence;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tests.Hosting;

[Collection(PostgresCollection.Name)]
public sealed class StartupTests(PostgresCluster cluster)
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task StartingTwice_OnTheSameDatabase_ChangesNothing(DatabaseProvider provider)
    {
        using var database = await TestDatabase.CreateEmptyAsync(provider, cluster);
        IReadOnlyList<string> schemaAfterFirst;
        IReadOnlyList<string> rowsAfterFirst;
        await using (var first = new IdentityProviderFactory(database))
        {
            using var client = first.CreateBrowserlessClient();
            Assert.True((await client.GetAsync("/health/ready")).IsSuccessStatusCode);
            schemaAfterFirst = await first.WithDbAsync(SchemaReader.DescribeAsync);
            rowsAfterFirst = await first.WithDbAsync(CountRowsAsync);
            Assert.Single(first.SetupLinks.Links);
        }

        await using var second = new IdentityProviderFactory(database);
        using var secondClient = second.CreateBrowserlessClient();
        Assert.True((await secondClient.GetAsync("/health/ready")).IsSuccessStatusCode);

        Assert.Equal(schemaAfterFirst, await second.WithDbAsync(SchemaReader.DescribeAsync));
        Assert.Equal(rowsAfterFirst, await second.WithDbAsync(CountRowsAsync));
        // The link from the first start is still valid: the second start says so instead of issuing another.
        Assert.Empty(second.SetupLinks.Links);
        Assert.Equal(1, second.SetupLinks.OutstandingAnnouncements);
    }

    private static async Task<IReadOnlyList<string>> CountRowsAsync(IdentityProviderDbContext db) =>
    [
        $"migrations {(await db.Database.GetAppliedMigrationsAsync()).Count()}",
        $"users {await db.Users.CountAsync()}",
        $"setup tokens {await db.SetupTokens.CountAsync()}",
        $"audit events {await db.AuditEvents.CountAsync()}",
        $"data protection keys {await db.DataProtectionKeys.CountAsync()}",
    ];
}
