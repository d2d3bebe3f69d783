using IdentityProvider.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>A database that belongs to one test: a SQLite file, or a fresh database in the shared cluster.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly string? _sqliteDirectory;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? sqliteDirectory)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqliteDirectory = sqliteDirectory;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// A SQLite file with every migration applied, copied from one migrated once per test run:
    /// hundreds of hosts start on SQLite, and migrating each from nothing was a tenth of their start.
    /// The application finds the schema current, as it would on any restart.
    /// </summary>
    public static TestDatabase Sqlite()
    {
        var database = EmptySqlite();
        File.Copy(MigratedSqliteTemplate.Value, database.SqlitePath!);
        return database;
    }

    /// <summary>A SQLite file that does not exist yet, for tests of migrating or of a first start from nothing.</summary>
    public static TestDatabase EmptySqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "idp-sqlite-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        return new TestDatabase(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(directory, "idp.db")}", directory);
    }

    private string? SqlitePath => _sqliteDirectory is null ? null : Path.Combine(_sqliteDirectory, "idp.db");

    // Made by the application's own migrations (DatabaseMigrator), not by EnsureCreated, so a copy is
    // exactly what a migrated installation holds: the schema and the migrations history, no rows.
    private static readonly Lazy<string> MigratedSqliteTemplate = new(() =>
    {
        var template = EmptySqlite();
        using (var services = StandaloneServices.For(template))
        {
            services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        SqliteConnection.ClearAllPools();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => template.Dispose();
        return template.SqlitePath!;
    });

    /// <summary>A new PostgreSQL database with every migration applied, copied from the cluster's migrated template.</summary>
    public static async Task<TestDatabase> PostgresAsync(PostgresCluster cluster)
    {
        var template = await cluster.MigratedTemplateAsync(async connectionString =>
        {
            using var empty = new TestDatabase(DatabaseProvider.Postgres, connectionString, null);
            await using var services = StandaloneServices.For(empty);
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        });
        return new(DatabaseProvider.Postgres, await cluster.CreateDatabaseAsync("idp", template), null);
    }

    /// <summary>A new PostgreSQL database without a schema, for tests of migrating or of a first start from nothing.</summary>
    public static async Task<TestDatabase> EmptyPostgresAsync(PostgresCluster cluster) =>
        new(DatabaseProvider.Postgres, await cluster.CreateDatabaseAsync("idp"), null);

    public static Task<TestDatabase> CreateAsync(DatabaseProvider provider, PostgresCluster cluster) =>
        provider == DatabaseProvider.Sqlite ? Task.FromResult(Sqlite()) : PostgresAsync(cluster);

    /// <summary>A database without a schema: a new SQLite file or a new PostgreSQL database.</summary>
    public static Task<TestDatabase> CreateEmptyAsync(DatabaseProvider provider, PostgresCluster cluster) =>
        provider == DatabaseProvider.Sqlite ? Task.FromResult(EmptySqlite()) : EmptyPostgresAsync(cluster);

    public void Dispose()
    {
        if (_sqliteDirectory is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_sqliteDirectory, recursive: true);
            return;
        }

        // Every test database has a connection string of its own, so Npgsql keeps an idle pool per
        // finished test for minutes; enough of them fill the cluster's max_connections and the next
        // test's host waits its whole start-up timeout for a connection. Connections in use by other
        // tests are not cut: they are closed only when returned.
        Npgsql.NpgsqlConnection.ClearAllPools();
    }
}
