using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Protocol.Keys;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Infrastructure;

/// <summary>
/// Runs the key rotation schedule on every node at a fixed interval (the first run is part of
/// start-up). A failure, such as the database being down, is logged and retried next time.
/// </summary>
internal sealed partial class SigningKeyScheduler(
    SigningKeyRing keys,
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<SigningKeyOptions> options,
    ILogger<SigningKeyScheduler> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        RecurringWork.RunAsync(time, options.Value.ScheduleInterval,
            async cancellationToken => await SigningKeyAudit.RecordScheduledAsync(scopes, await keys.EnsureKeysAsync(cancellationToken), cancellationToken),
            ex => LogScheduleFailed(logger, ex.GetType().Name, ex.Message), stoppingToken);

    [LoggerMessage(6100, LogLevel.Error, "Signing key schedule failed ({ExceptionType}: {Reason}); retrying at the next interval")]
    private static partial void LogScheduleFailed(ILogger logger, string exceptionType, string reason);
}
