using System.Data.Common;
using System.Globalization;
using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Infrastructure.Health;

/// <summary>
/// Ready also means: this node's clock (its <see cref="TimeProvider"/>, the only clock tokens and
/// TOTP codes are computed from) agrees with the database server's within
/// <see cref="HealthOptions.MaxClockSkew"/>. Every node shares the database, so its clock is the
/// common reference; a skewed node is taken out of the load balancer instead of silently issuing
/// tokens that expire early or late and refusing the codes users type.
/// </summary>
internal sealed partial class ClockSkewReadinessCheck(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    DatabaseConnection connection,
    TimeProvider time,
    IOptions<HealthOptions> options,
    ILogger<ClockSkewReadinessCheck> logger) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        DateTimeOffset sent, received, server;
        try
        {
            await using var db = await contexts.CreateDbContextAsync(timeout.Token);
            var dbConnection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(timeout.Token);
            await using var command = dbConnection.CreateCommand();
            // clock_timestamp(), not now(): now() is the start of the transaction.
            command.CommandText = connection.Provider == DatabaseProvider.Postgres
                ? "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
                : "SELECT strftime('%Y-%m-%dT%H:%M:%f', 'now')";
            sent = time.GetUtcNow();
            var answer = (string)(await command.ExecuteScalarAsync(timeout.Token))!;
            received = time.GetUtcNow();
            server = DateTimeOffset.Parse(answer, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The database check reports the outage; there is no clock to compare with.
            return HealthCheckResult.Healthy("Not compared: the database is unreachable.");
        }

        // The server read its clock somewhere between sending and receiving; the midpoint is the
        // best guess, and half the round trip is how wrong that guess can be, so a slow answer
        // never makes an accurate clock look skewed.
        var roundTrip = received - sent;
        var skew = server - (sent + roundTrip / 2);
        var bound = options.Value.MaxClockSkew + roundTrip.Duration() / 2;
        if (skew.Duration() > bound)
        {
            LogClockSkew(logger, skew.TotalSeconds, options.Value.MaxClockSkew.TotalSeconds);
            return HealthCheckResult.Unhealthy("Clock skew.");
        }

        return HealthCheckResult.Healthy();
    }

    [LoggerMessage(3003, LogLevel.Error, "Readiness check failed: clock skew of {SkewSeconds:0.###} s between the database server and this node exceeds Health:MaxClockSkew ({MaxSeconds} s)")]
    private static partial void LogClockSkew(ILogger logger, double skewSeconds, double maxSeconds);
}
