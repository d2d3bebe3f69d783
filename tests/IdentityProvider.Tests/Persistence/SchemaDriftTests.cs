using IdentityProvider.Persistence;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Persistence;

/// <summary>
/// The migrations are written by hand (no EF design package here), so nothing else would notice
/// when they and the model part ways. The schema the migrations build must equal the schema the
/// model would create, on both engines.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SchemaDriftTests(PostgresCluster cluster)
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Migrations_ProduceTheSchemaOfTheModel(DatabaseProvider provider)
    {
        using var migrated = await TestDatabase.CreateEmptyAsync(provider, cluster);
        using var created = await TestDatabase.CreateEmptyAsync(provider, cluster);

        var fromMigrations = await DescribeAsync(migrated, db => db.Database.MigrateAsync());
        var fromModel = await DescribeAsync(created, db => db.Database.EnsureCreatedAsync());

        Assert.NotEmpty(fromModel);
        Assert.Contains(fromModel, line => line.Contains("AspNetUserPasskeys", StringComparison.Ordinal));
        var missing = fromModel.Except(fromMigrations).ToList();
        var unexpected = fromMigrations.Except(fromModel).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"Migrations differ from the model.\nOnly in the model:\n  {string.Join("\n  ", missing)}\nOnly in the migrations:\n  {string.Join("\n  ", unexpected)}");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Migrations_LeaveNothingPending(DatabaseProvider provider)
    {
        using var database = await TestDatabase.CreateEmptyAsync(provider, cluster);
        await using var services = StandaloneServices.For(database);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityProviderDbContext>();

        await db.Database.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
    }

    private static async Task<IReadOnlyList<string>> DescribeAsync(TestDatabase database, Func<IdentityProviderDbContext, Task> build)
    {
        await using var services = StandaloneServices.For(database);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityProviderDbContext>();
        await build(db);
        return await SchemaReader.DescribeAsync(db);
    }
}
