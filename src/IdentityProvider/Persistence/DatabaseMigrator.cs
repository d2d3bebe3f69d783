using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Persistence;

/// <summary>
/// Brings the schema up to date. EF Core takes a database lock around migrations, so several
/// nodes starting at once apply each migration exactly once.
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
