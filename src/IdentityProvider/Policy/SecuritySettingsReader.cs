using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Policy;

/// <summary>
/// The sign-in limits in force: the row an administrator saved, or else the configuration. Not
/// cached: each sign-in attempt, code check and code generation reads the one row by key (as
/// <see cref="MfaSettingsStore"/> does), so a change saved on one node applies to the next attempt
/// on every node.
/// </summary>
public sealed class SecuritySettingsReader(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    IOptions<SignInLockoutOptions> lockout,
    IOptions<TotpOptions> totp,
    IOptions<RecoveryCodeOptions> recoveryCodes)
{
    public async Task<SecurityLimits> GetAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await GetAsync(db, cancellationToken);
    }

    /// <summary>Through a context the caller already holds (the attempt gate opens one per statement group).</summary>
    public async Task<SecurityLimits> GetAsync(IdentityProviderDbContext db, CancellationToken cancellationToken)
    {
        var row = await db.Set<SecuritySettingsEntity>().AsNoTracking()
            .SingleOrDefaultAsync(s => s.Id == SecuritySettingsEntity.SingletonId, cancellationToken);
        return row is null ? Configured() : new SecurityLimits(
            row.MaxFailedPasswords, row.MaxFailedCodes, TimeSpan.FromSeconds(row.LockoutDurationSeconds), row.TotpWindow, row.RecoveryCodeCount);
    }

    /// <summary>What configuration says, in force until an administrator first saves the settings.</summary>
    public SecurityLimits Configured() => new(
        lockout.Value.MaxFailedPasswords, lockout.Value.MaxFailedCodes, lockout.Value.Duration, totp.Value.Window, recoveryCodes.Value.Count);
}
