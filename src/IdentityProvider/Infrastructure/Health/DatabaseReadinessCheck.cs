using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdentityProvider.Infrastructure.Health;

/// <summary>
/// Ready means: the database answers a query and every migration this build knows is applied.
/// While the database is unreachable each probe also empties the connection pool, so when it
/// comes back the node uses fresh connections and recovers with no restart.
/// </summary>
internal sealed partial class DatabaseReadinessCheck(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    DatabaseConnection connection,
    ILogger<DatabaseReadinessCheck> logger) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(timeout.Token);
            var pending = (await db.Database.GetPendingMigrationsAsync(timeout.Token)).ToList();
            if (pending.Count > 0)
            {
                LogPendingMigrations(logger, string.Join(", ", pending));
                return HealthCheckResult.Unhealthy("Database schema is not current.");
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogDatabaseUnreachable(logger, ex.GetType().Name, ex.Message);
            connection.ClearPools();
            return HealthCheckResult.Unhealthy("Database unreachable.");
        }
    }

    [LoggerMessage(3001, LogLevel.Error, "Readiness check failed: database unreachable ({ExceptionType}: {Reason})")]
    private static partial void LogDatabaseUnreachable(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(3002, LogLevel.Error, "Readiness check failed: migrations not applied: {Migrations}")]
    private static partial void LogPendingMigrations(ILogger logger, string migrations);
}
