using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Persistence;

/// <summary>
/// Brings the schema up to date, once, however many nodes start at the same moment. On PostgreSQL
/// that needs a lock of our own: EF Core's migration lock (Npgsql's <c>LOCK TABLE</c>) lasts one
/// migration's transaction only, so three nodes starting together on an empty database each
/// decided which migrations were pending before the first had finished, and all but one failed
/// with "relation already exists" (found by the cluster tests, <c>tests/.../Cluster</c>).
/// </summary>
public sealed partial class DatabaseMigrator(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    IOptions<DatabaseOptions> options,
    TimeProvider time,
    ILogger<DatabaseMigrator> logger)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await WaitForDatabaseAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (options.Value.Provider == DatabaseProvider.Postgres)
        {
            // A session-level advisory lock on a connection this method holds open, so it spans
            // every migration; the pending list is read only once the lock is ours. If the process
            // dies, PostgreSQL ends the session and with it the lock.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync(AcquireLock, cancellationToken);
            try
            {
                return await ApplyPendingAsync(db, cancellationToken);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync(ReleaseLock, CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
        }

        return await ApplyPendingAsync(db, cancellationToken);
    }

    // The key is any fixed number; it names this application's migration lock among the database's advisory locks.
    private const string AcquireLock = "SELECT pg_advisory_lock(7218400301)";
    private const string ReleaseLock = "SELECT pg_advisory_unlock(7218400301)";

    private async Task<IReadOnlyList<string>> ApplyPendingAsync(IdentityProviderDbContext db, CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            LogSchemaCurrent(logger);
            return pending;
        }

        await db.Database.MigrateAsync(cancellationToken);
        LogMigrationsApplied(logger, pending.Count, string.Join(", ", pending));
        return pending;
    }

    // A container platform may start this process before the database accepts connections.
    private async Task WaitForDatabaseAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Value.StartupConnectTimeout;
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (await db.Database.CanConnectAsync(cancellationToken) || options.Value.Provider == DatabaseProvider.Sqlite)
            {
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new InvalidOperationException(
                    $"The database could not be reached within {options.Value.StartupConnectTimeout}. Check Database:ConnectionString.");
            }

            LogWaitingForDatabase(logger, delay);
            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }
    }

    [LoggerMessage(1001, LogLevel.Information, "Database schema is current")]
    private static partial void LogSchemaCurrent(ILogger logger);

    [LoggerMessage(1002, LogLevel.Information, "Applied {Count} migration(s): {Migrations}")]
    private static partial void LogMigrationsApplied(ILogger logger, int count, string migrations);

    [LoggerMessage(1003, LogLevel.Warning, "Database not reachable yet; retrying in {Delay}")]
    private static partial void LogWaitingForDatabase(ILogger logger, TimeSpan delay);
}
