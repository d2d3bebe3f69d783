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
        }
    }
}
