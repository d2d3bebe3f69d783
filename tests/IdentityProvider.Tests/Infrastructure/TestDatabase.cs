using IdentityProvider.Persistence;
using Microsoft.Data.Sqlite;

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

    public static TestDatabase Sqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "idp-sqlite-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        return new TestDatabase(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(directory, "idp.db")}", directory);
    }

    public static async Task<TestDatabase> PostgresAsync(PostgresCluster cluster) =>
        new(DatabaseProvider.Postgres, await cluster.CreateDatabaseAsync("idp"), null);

    public static Task<TestDatabase> CreateAsync(DatabaseProvider provider, PostgresCluster cluster) =>
        provider == DatabaseProvider.Sqlite ? Task.FromResult(Sqlite()) : PostgresAsync(cluster);

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
