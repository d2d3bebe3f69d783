using System.Globalization;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
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
/// attempt on every node); the longest lock and the consecutive-failure limit stay in configuration.
/// Locks back off: each one without a complete sign-in since the last lasts twice as long, up to
/// <see cref="SignInLockoutOptions.MaxDuration"/>, so a flood on someone's account costs the
/// attacker more each time and the real user is never locked out for good.
/// </summary>
public sealed class SignInAttemptGate(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    TimeProvider time,
    IOptions<SignInLockoutOptions> options,
    SecuritySettingsReader settings,
    IServiceScopeFactory scopes)
{
    // Of requests racing to lock, one conditional UPDATE wins; a loser either finds the counter
    // reset (the lock is set) or another factor's lock counted first, and reads again.
    private const int LockRaceRetries = 3;

    /// <summary>
    /// Locked now (for a while, or until an administrator unlocks it), for a sign-in that proves
    /// nothing here to be counted (an upstream's): it is refused like a locked password sign-in.
    /// </summary>
    public async Task<bool> IsLockedAsync(string userId, CancellationToken cancellationToken)
    {
        var maxConsecutiveFailures = options.Value.MaxConsecutiveFailures;
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(u => u.Id == userId && ((u.LockoutEnabled && u.LockoutEnd != null && u.LockoutEnd > now)
            || (maxConsecutiveFailures > 0 && u.ConsecutiveFailedSignIns >= maxConsecutiveFailures)), cancellationToken);
    }

    /// <returns>False when the account is locked (or at a limit): refuse without evaluating.</returns>
    public async Task<bool> TryReserveAsync(string userId, SignInFactor factor, CancellationToken cancellationToken)
    {
        var maxConsecutiveFailures = options.Value.MaxConsecutiveFailures;
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var limits = await settings.GetAsync(db, cancellationToken);
        var users = db.Users.Where(u => u.Id == userId && (!u.LockoutEnabled || u.LockoutEnd == null || u.LockoutEnd <= now)
            && (maxConsecutiveFailures <= 0 || u.ConsecutiveFailedSignIns < maxConsecutiveFailures));
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
    /// <see cref="LockDuration"/> and the counter starts again; at the consecutive limit, when an
    /// operator set one, it locks until an administrator unlocks it. Each lock is one conditional
    /// statement, so no interleaving undoes, loses or doubles one. The statement that locks is the
    /// one that audits it: a row per lock, whichever request got there.
    /// </summary>
    public async Task RecordFailureAsync(string userId, SignInFactor factor, CancellationToken cancellationToken)
    {
        var lockout = options.Value;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var limits = await settings.GetAsync(db, cancellationToken);
        var limit = factor == SignInFactor.Password ? limits.MaxFailedPasswords : limits.MaxFailedCodes;
        var now = time.GetUtcNow();
        var user = db.Users.Where(u => u.Id == userId && u.LockoutEnabled);

        (DateTimeOffset Until, int Lock)? locked = null;
        for (var attempt = 0; attempt < LockRaceRetries && locked is null; attempt++)
        {
            var row = await user.AsNoTracking()
                .Select(u => new { Failed = factor == SignInFactor.Password ? u.AccessFailedCount : u.SecondFactorFailedCount, u.SuccessiveLockouts })
                .SingleOrDefaultAsync(cancellationToken);
            if (row is null || row.Failed < limit)
            {
                break;
            }

            var until = now + LockDuration(limits.LockoutDuration, row.SuccessiveLockouts, lockout.MaxDuration);
            var unchanged = user.Where(u => u.SuccessiveLockouts == row.SuccessiveLockouts);
            var won = factor == SignInFactor.Password
                ? await unchanged.Where(u => u.AccessFailedCount >= limit).ExecuteUpdateAsync(set => set
                    .SetProperty(u => u.LockoutEnd, until)
                    .SetProperty(u => u.AccessFailedCount, 0)
                    .SetProperty(u => u.SuccessiveLockouts, u => u.SuccessiveLockouts + 1), cancellationToken)
                : await unchanged.Where(u => u.SecondFactorFailedCount >= limit).ExecuteUpdateAsync(set => set
                    .SetProperty(u => u.LockoutEnd, until)
                    .SetProperty(u => u.SecondFactorFailedCount, 0)
                    .SetProperty(u => u.SuccessiveLockouts, u => u.SuccessiveLockouts + 1), cancellationToken);
            if (won == 1)
            {
                locked = (until, row.SuccessiveLockouts + 1);
            }
        }

        var maxConsecutiveFailures = lockout.MaxConsecutiveFailures;
        var lockedIndefinitely = maxConsecutiveFailures > 0
            && await user.Where(u => u.ConsecutiveFailedSignIns >= maxConsecutiveFailures && u.LockoutEnd != DateTimeOffset.MaxValue)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.LockoutEnd, DateTimeOffset.MaxValue), cancellationToken) > 0;

        var what = factor == SignInFactor.Password ? "wrong passwords" : "wrong second-factor codes";
        if (lockedIndefinitely)
        {
            await AuditLockAsync(userId, $"{maxConsecutiveFailures} failed sign-ins in a row: locked until an administrator unlocks", cancellationToken);
        }
        else if (locked is var (lockedUntil, lockNumber))
        {
            await AuditLockAsync(userId, string.Create(CultureInfo.InvariantCulture,
                $"too many {what}: locked until {lockedUntil.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} (lock {lockNumber} without a complete sign-in)"), cancellationToken);
        }
    }

    /// <summary>
    /// The <paramref name="previousLocks"/>+1-th lock in a row: <paramref name="first"/> doubled for
    /// each lock before it, capped at <paramref name="longest"/> (but never below <paramref name="first"/>).
    /// </summary>
    public static TimeSpan LockDuration(TimeSpan first, int previousLocks, TimeSpan longest)
    {
        var cap = first > longest ? first : longest;
        var duration = first;
        // Doubling stops at the cap, so a long run of locks never overflows TimeSpan.
        for (var i = 0; i < previousLocks && duration < cap; i++)
        {
            duration *= 2;
        }

        return duration < cap ? duration : cap;
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
    /// so re-entering the password never buys more guesses at the code. Only a complete sign-in
    /// ends the back-off (<see cref="ApplicationUser.SuccessiveLockouts"/>): a password an attacker
    /// knows, without the second factor, does not.
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
                .SetProperty(u => u.ConsecutiveFailedSignIns, 0)
                .SetProperty(u => u.SuccessiveLockouts, 0), cancellationToken);
        }
        else if (!signInComplete)
        {
            // A code re-confirmed on the security page: the user is signed in already, so the
            // back-off, which counts locks between sign-ins, stays as it is.
            await user.ExecuteUpdateAsync(set => set
                .SetProperty(u => u.SecondFactorFailedCount, 0)
                .SetProperty(u => u.ConsecutiveFailedSignIns, 0), cancellationToken);
        }
        else
        {
            await user.ExecuteUpdateAsync(set => set
                .SetProperty(u => u.SecondFactorFailedCount, 0)
                .SetProperty(u => u.ConsecutiveFailedSignIns, 0)
                .SetProperty(u => u.SuccessiveLockouts, 0), cancellationToken);
        }
    }
}
