using System.Globalization;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.Lockout;

public enum SignInFactor
{
    Password,

    /// <summary>Any second factor: TOTP or recovery codes. Its counter survives a correct password.</summary>
    SecondFactor,
}

/// <summary>
/// Counts sign-in attempts in the database, so limits hold across nodes and under parallel
/// guessing. An attempt is reserved before it is evaluated: one conditional UPDATE increments the
/// factor's counter only while the account is unlocked and under its limits. Of 50 parallel wrong
/// codes against a limit of 5, at most 5 reach the verifier; the rest are refused unevaluated.
/// A correct answer gives the reservation back; a wrong one keeps it, and the last one locks.
/// The per-factor limits and the lock's duration are the saved security settings
/// (<see cref="SecuritySettingsReader"/>, read with each attempt, so a change applies to the next
/// attempt on every node); the consecutive-failure limit stays in configuration.
/// </summary>
public sealed class SignInAttemptGate(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    TimeProvider time,
    IOptions<SignInLockoutOptions> options,
    SecuritySettingsReader settings,
    IServiceScopeFactory scopes)
{
    /// <summary>
    /// Locked now (for a while, or until an administrator unlocks it), for a sign-in that proves
    /// nothing here to be counted (an upstream's): it is refused like a locked password sign-in.
    /// </summary>
    public async Task<bool> IsLockedAsync(string userId, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(u => u.Id == userId && ((u.LockoutEnabled && u.LockoutEnd != null && u.LockoutEnd > now)
            || u.ConsecutiveFailedSignIns >= limits.MaxConsecutiveFailures), cancellationToken);
    }

    /// <returns>False when the account is locked (or at a limit): refuse without evaluating.</returns>
    public async Task<bool> TryReserveAsync(string userId, SignInFactor factor, CancellationToken cancellationToken)
    {
        var maxConsecutiveFailures = options.Value.MaxConsecutiveFailures;
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var limits = await settings.GetAsync(db, cancellationToken);
        var users = db.Users.Where(u => u.Id == userId && (!u.LockoutEnabled || u.LockoutEnd == null || u.LockoutEnd <= now)
            && u.ConsecutiveFailedSignIns < maxConsecutiveFailures);
        var reserved = factor == SignInFactor.Password
            ? await users.Where(u => u.AccessFailedCount < limits.MaxFailedPasswords).ExecuteUpdateAsync(set => set
                .SetProperty(u => u.AccessFailedCount, u => u.AccessFailedCount + 1)
                .SetProperty(u => u.ConsecutiveFailedSignIns, u => u.ConsecutiveFailedSignIns + 1), cancellationToken)
            : await users.Where(u => u.SecondFactorFailedCount < limits.MaxFailedCodes).ExecuteUpdateAsync(set => set
                .SetProperty(u => u.SecondFactorFailedCount, u => u.SecondFactorFailedCount + 1)
                .SetProperty(u => u.ConsecutiveFailedSignIns, u => u.ConsecutiveFailedSignIns + 1), cancellationToken);
        return reserved == 1;
    }

    /// <summary>
    /// The attempt was wrong: its reservation stands. At the factor's limit the account locks for
    /// the saved (or configured) lockout duration and the counter starts again; at the consecutive limit it
    /// locks until an administrator unlocks it. One statement each, so no interleaving undoes a lock.
    /// The statement that locks is the one that audits it: a row per lock, whichever request got there.
    /// </summary>
    public async Task RecordFailureAsync(string userId, SignInFactor factor, CancellationToken cancellationToken)
    {
        var maxConsecutiveFailures = options.Value.MaxConsecutiveFailures;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var limits = await settings.GetAsync(db, cancellationToken);
        var lockedUntil = time.GetUtcNow() + limits.LockoutDuration;
        var user = db.Users.Where(u => u.Id == userId && u.LockoutEnabled);
        var lockedForDuration = factor == SignInFactor.Password
            ? await user.Where(u => u.AccessFailedCount >= limits.MaxFailedPasswords).ExecuteUpdateAsync(set => set
                .SetProperty(u => u.LockoutEnd, lockedUntil)
                .SetProperty(u => u.AccessFailedCount, 0), cancellationToken)
            : await user.Where(u => u.SecondFactorFailedCount >= limits.MaxFailedCodes).ExecuteUpdateAsync(set => set
                .SetProperty(u => u.LockoutEnd, lockedUntil)
                .SetProperty(u => u.SecondFactorFailedCount, 0), cancellationToken);

        var lockedIndefinitely = await user.Where(u => u.ConsecutiveFailedSignIns >= maxConsecutiveFailures && u.LockoutEnd != DateTimeOffset.MaxValue)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.LockoutEnd, DateTimeOffset.MaxValue), cancellationToken);

        var what = factor == SignInFactor.Password ? "wrong passwords" : "wrong second-factor codes";
        if (lockedIndefinitely > 0)
        {
            await AuditLockAsync(userId, $"{maxConsecutiveFailures} failed sign-ins in a row: locked until an administrator unlocks", cancellationToken);
        }
        else if (lockedForDuration > 0)
        {
            await AuditLockAsync(userId, string.Create(CultureInfo.InvariantCulture, $"too many {what}: locked until {lockedUntil.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}"), cancellationToken);
        }
    }

    // The gate is a singleton and the audit log belongs to a scope (it writes through that scope's context).
    private async Task AuditLockAsync(string userId, string details, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IAuditLog>().RecordAsync(new AuditRecord(AuditActions.AccountLocked, AuditActors.System,
            TargetType: "user", TargetId: userId, Details: details), cancellationToken);
    }

    /// <summary>
    /// The factor was right: its counter resets. A correct password leaves the code counter alone,
    /// so re-entering the password never buys more guesses at the code.
    /// </summary>
    public async Task RecordSuccessAsync(string userId, SignInFactor factor, bool signInComplete, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var user = db.Users.Where(u => u.Id == userId);
        if (factor == SignInFactor.Password && !signInComplete)
        {
            // The password was right but a second factor follows: only this attempt's reservation is given back.
            await user.ExecuteUpdateAsync(set => set
                .SetProperty(u => u.AccessFailedCount, 0)
                .SetProperty(u => u.ConsecutiveFailedSignIns, u => u.ConsecutiveFailedSignIns - 1), cancellationToken);
        }
        else if (factor == SignInFactor.Password)
        {
            await user.ExecuteUpdateAsync(set => set
                .SetProperty(u => u.AccessFailedCount, 0)
                .SetProperty(u => u.ConsecutiveFailedSignIns, 0), cancellationToken);
        }
        else
        {
            await user.ExecuteUpdateAsync(set => set
                .SetProperty(u => u.SecondFactorFailedCount, 0)
                .SetProperty(u => u.ConsecutiveFailedSignIns, 0), cancellationToken);
        }
    }
}
