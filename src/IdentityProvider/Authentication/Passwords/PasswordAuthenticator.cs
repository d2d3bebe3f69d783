using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Authentication.Passwords;

/// <param name="User">Set only on success.</param>
/// <param name="Throttled">
/// Not checked at all: every hashing slot was busy and the queue full. Nothing was counted or
/// written; the page answers 429 instead of the generic failure.
/// </param>
public sealed record PasswordCheck(ApplicationUser? User, bool Throttled = false)
{
    public bool Succeeded => User is not null;
}

/// <summary>
/// The password step. Every failure looks the same from outside (unknown user, wrong password,
/// locked, disabled) and costs the same: one password hash is verified in every case, so response
/// time does not tell an attacker whether an account exists. Attempts pass the database gate first,
/// and hash only in one of the node's hashing slots (<see cref="PasswordHashLimiter"/>).
/// </summary>
public sealed partial class PasswordAuthenticator(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    ILookupNormalizer normalizer,
    IPasswordHasher<ApplicationUser> hasher,
    SignInAttemptGate gate,
    PasswordHashLimiter hashSlots,
    DecoyPasswordHash decoy,
    IAuditLog audit,
    ILogger<PasswordAuthenticator> logger)
{
    public async Task<PasswordCheck> CheckAsync(string login, string password, CancellationToken cancellationToken) =>
        await CheckAsync(await FindAsync(login, cancellationToken), password, cancellationToken);

    /// <summary>
    /// The password of a user already known by id (linking an upstream account to it): the same
    /// gate, hash slots, audit and generic failure as a sign-in by login name.
    /// </summary>
    public async Task<PasswordCheck> CheckUserAsync(string userId, string password, CancellationToken cancellationToken)
    {
        ApplicationUser? user;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        }

        return await CheckAsync(user, password, cancellationToken);
    }

    private async Task<PasswordCheck> CheckAsync(ApplicationUser? user, string password, CancellationToken cancellationToken)
    {
        // Taken before the gate reserves an attempt, so a refusal changes nothing; held until the
        // check has been recorded, which keeps the gate's reserve-then-record pair inside one slot.
        using var slot = await hashSlots.AcquireAsync(cancellationToken);
        if (!slot.IsAcquired)
        {
            LogThrottled(logger, user?.Id ?? "-");
            return new PasswordCheck(null, Throttled: true);
        }

        if (user?.PasswordHash is null || user.DisabledAt is not null)
        {
            hasher.VerifyHashedPassword(new ApplicationUser(), decoy.Value, password);
            return await FailAsync(user, user is null ? "unknown login" : user.DisabledAt is not null ? "disabled" : "no password", cancellationToken);
        }

        if (!await gate.TryReserveAsync(user.Id, SignInFactor.Password, cancellationToken))
        {
            hasher.VerifyHashedPassword(user, decoy.Value, password);
            return await FailAsync(user, "locked out", cancellationToken);
        }

        var verification = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verification == PasswordVerificationResult.Failed)
        {
            await gate.RecordFailureAsync(user.Id, SignInFactor.Password, cancellationToken);
            return await FailAsync(user, "wrong password", cancellationToken);
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await UpgradeHashAsync(user, password, cancellationToken);
        }

        await gate.RecordSuccessAsync(user.Id, SignInFactor.Password, signInComplete: !user.TwoFactorEnabled, cancellationToken);
        return new PasswordCheck(user);
    }

    /// <summary>Username first, then email: both are unique (RequireUniqueEmail).</summary>
    private async Task<ApplicationUser?> FindAsync(string login, CancellationToken cancellationToken)
    {
        var name = normalizer.NormalizeName(login.Trim());
        var email = normalizer.NormalizeEmail(login.Trim());
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking()
            .Where(u => u.NormalizedUserName == name || u.NormalizedEmail == email)
            .OrderBy(u => u.NormalizedUserName == name ? 0 : 1)
            .FirstOrDefaultAsync(cancellationToken);
    }

    // Stored with an older iteration count: re-hashed with the current one now that the password
    // is known. Only this column is written, and only if nobody changed the password meanwhile.
    private async Task UpgradeHashAsync(ApplicationUser user, string password, CancellationToken cancellationToken)
    {
        var upgraded = hasher.HashPassword(user, password);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Users.Where(u => u.Id == user.Id && u.PasswordHash == user.PasswordHash)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.PasswordHash, upgraded), cancellationToken);
        LogHashUpgraded(logger, user.Id);
    }

    private async Task<PasswordCheck> FailAsync(ApplicationUser? user, string reason, CancellationToken cancellationToken)
    {
        LogFailed(logger, user?.Id ?? "-", reason);
        await audit.RecordAsync(new AuditRecord(AuditActions.SignInFailed, user?.Id ?? AuditActors.Anonymous, AuditOutcome.Failure,
            TargetType: "user", TargetId: user?.Id, Details: "password: " + reason), cancellationToken);
        return new PasswordCheck(null);
    }

    [LoggerMessage(7000, LogLevel.Information, "Password sign-in failed for {UserId}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string userId, string reason);

    [LoggerMessage(7002, LogLevel.Warning, "Password check for {UserId} refused: every hashing slot is busy and the queue is full")]
    private static partial void LogThrottled(ILogger logger, string userId);

    [LoggerMessage(7001, LogLevel.Information, "Password hash of {UserId} upgraded to the current iteration count")]
    private static partial void LogHashUpgraded(ILogger logger, string userId);
}
