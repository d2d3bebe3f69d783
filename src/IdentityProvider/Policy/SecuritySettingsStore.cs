using System.Globalization;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Policy;

/// <summary>
/// Saves the sign-in limits an administrator chose (the console's settings page and the admin API
/// both come here): checks the ranges, writes the one row, audits old → new. Reading is
/// <see cref="SecuritySettingsReader"/>'s, which every factor uses.
/// </summary>
public sealed class SecuritySettingsStore(IdentityProviderDbContext db, SecuritySettingsReader reader, IAuditLog audit, TimeProvider time)
{
    // The field names problems are reported under: the admin API's JSON members.
    public const string MaxFailedPasswordsField = "maxFailedPasswords";
    public const string MaxFailedCodesField = "maxFailedCodes";
    public const string LockoutDurationField = "lockoutDurationMinutes";
    public const string TotpWindowField = "totpWindow";
    public const string RecoveryCodeCountField = "recoveryCodeCount";

    public Task<SecurityLimits> GetAsync(CancellationToken cancellationToken) => reader.GetAsync(db, cancellationToken);

    /// <returns>Problems with the settings, or none when they were saved.</returns>
    public async Task<IReadOnlyList<SettingProblem>> SaveAsync(SecurityLimits settings, string actor, CancellationToken cancellationToken)
    {
        var problems = Validate(settings);
        if (problems.Count > 0)
        {
            return problems;
        }

        var before = await GetAsync(cancellationToken);
        var row = await db.Set<SecuritySettingsEntity>().SingleOrDefaultAsync(s => s.Id == SecuritySettingsEntity.SingletonId, cancellationToken);
        if (row is null)
        {
            row = new SecuritySettingsEntity();
            db.Add(row);
        }

        row.MaxFailedPasswords = settings.MaxFailedPasswords;
        row.MaxFailedCodes = settings.MaxFailedCodes;
        row.LockoutDurationSeconds = (int)settings.LockoutDuration.TotalSeconds;
        row.TotpWindow = settings.TotpWindow;
        row.RecoveryCodeCount = settings.RecoveryCodeCount;
        row.UpdatedAt = time.GetUtcNow();
        row.UpdatedBy = actor;
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.SecuritySettingsChanged, actor, TargetType: "security-settings", TargetId: "global",
            Details: Describe(before, settings)), cancellationToken);
        return [];
    }

    public static IReadOnlyList<SettingProblem> Validate(SecurityLimits settings)
    {
        var problems = new List<SettingProblem>();
        if (settings.MaxFailedPasswords is < SecurityLimits.MinFailures or > SecurityLimits.MaxFailures)
        {
            problems.Add(new(MaxFailedPasswordsField, "Wrong passwords that lock the account must be between 3 and 100."));
        }

        if (settings.MaxFailedCodes is < SecurityLimits.MinFailures or > SecurityLimits.MaxFailures)
        {
            problems.Add(new(MaxFailedCodesField, "Wrong codes that lock the account must be between 3 and 100."));
        }

        if (settings.LockoutDuration < SecurityLimits.MinLockoutDuration || settings.LockoutDuration > SecurityLimits.MaxLockoutDuration
            || settings.LockoutDuration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            problems.Add(new(LockoutDurationField, "A lock must last between 1 minute and 24 hours (1 to 1440 minutes)."));
        }

        if (settings.TotpWindow is < SecurityLimits.MinTotpWindow or > SecurityLimits.MaxTotpWindow)
        {
            problems.Add(new(TotpWindowField, "Authenticator codes accepted either side of the current one must be between 0 and 2."));
        }

        if (settings.RecoveryCodeCount is < SecurityLimits.MinRecoveryCodes or > SecurityLimits.MaxRecoveryCodes)
        {
            problems.Add(new(RecoveryCodeCountField, "Recovery codes per set must be between 5 and 20."));
        }

        return problems;
    }

    private static string Describe(SecurityLimits before, SecurityLimits after)
    {
        var changes = new List<string>();
        void Compare<T>(string name, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
            {
                changes.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: {a} → {b}"));
            }
        }

        Compare("max failed passwords", before.MaxFailedPasswords, after.MaxFailedPasswords);
        Compare("max failed codes", before.MaxFailedCodes, after.MaxFailedCodes);
        Compare("lockout duration", before.LockoutDuration, after.LockoutDuration);
        Compare("totp window", before.TotpWindow, after.TotpWindow);
        Compare("recovery codes", before.RecoveryCodeCount, after.RecoveryCodeCount);
        return changes.Count == 0 ? "no change" : string.Join("; ", changes);
    }
}
