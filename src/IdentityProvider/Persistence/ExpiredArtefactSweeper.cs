using IdentityProvider.Authentication.EmailCodes;
using IdentityProvider.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Persistence;

/// <summary>Bound from <c>Sweeping</c>.</summary>
public sealed class SweepingOptions
{
    public const string SectionName = "Sweeping";

    /// <summary>How often each node deletes expired single-use artefacts. Default 1 hour.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a used or expired code is kept after it expired. A replay of a code within this time
    /// is still recognised as a replay (and revokes its grant) rather than as an unknown code. Default 1 day.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// Deletes what can no longer be used: authorization requests, codes (emailed sign-in codes too),
/// federated sign-ins the upstream never answered,
/// sessions, replay-cache entries, remembered browsers and grants past their expiry (a grant's
/// refresh tokens go with it), and remembered browsers made before the user's factors or password
/// last changed. Every node runs it; the deletes are idempotent, so nodes racing each other do no harm.
/// </summary>
internal sealed partial class ExpiredArtefactSweeper(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    TimeProvider time,
    IOptions<SweepingOptions> options,
    ILogger<ExpiredArtefactSweeper> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        RecurringWork.RunAsync(time, options.Value.Interval, SweepAsync, ex => LogSweepFailed(logger, ex.GetType().Name, ex.Message), stoppingToken);

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var retained = now - options.Value.Retention;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var deleted = await db.PendingAuthorizations.Where(p => p.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        deleted += await db.AuthorizationCodes.Where(c => c.ExpiresAt < retained).ExecuteDeleteAsync(cancellationToken);
        deleted += await db.UserSessions.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        deleted += await db.UsedIdentifiers.Where(u => u.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        deleted += await db.PasskeyCeremonies.Where(c => c.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        deleted += await db.FederationStates.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        deleted += await db.FederatedSignInTickets.Where(t => t.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        // Kept until its send window is over too, so deleting it does not reset the hour's send count.
        var sendWindowOver = now - EmailCodeOptions.SendWindow;
        deleted += await db.EmailSignInCodes.Where(c => c.ExpiresAt < now && c.WindowStartedAt < sendWindowOver).ExecuteDeleteAsync(cancellationToken);
        // A remembered browser whose user's security stamp has changed will never be honoured again.
        deleted += await db.RememberedBrowsers
            .Where(b => b.ExpiresAt < now || db.Users.Any(u => u.Id == b.UserId && u.SecurityStamp != b.SecurityStamp))
            .ExecuteDeleteAsync(cancellationToken);
        // Refresh tokens cascade with their grant. A revoked grant is kept until it would have
        // expired anyway, so introspection keeps answering "inactive" for its access tokens.
        deleted += await db.RefreshTokens.Where(t => db.Grants.Any(g => g.GrantId == t.GrantId && g.ExpiresAt < now)).ExecuteDeleteAsync(cancellationToken);
        deleted += await db.Grants.Where(g => g.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            LogSwept(logger, deleted);
        }

        return deleted;
    }

    [LoggerMessage(6200, LogLevel.Information, "Deleted {Count} expired authorization requests, codes, sessions, grants, passkey challenges, federated sign-in states and tickets, emailed sign-in codes, remembered browsers and replay entries")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(6201, LogLevel.Warning, "Sweeping expired artefacts failed ({ExceptionType}: {Reason}); retrying at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, string exceptionType, string reason);
}
