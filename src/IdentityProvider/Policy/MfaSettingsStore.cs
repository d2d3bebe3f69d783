using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Policy;

/// <summary>
/// The MFA settings in force: the row an administrator saved, or else the configuration. Read
/// from the database on every sign-in (one row by key), so a change on one node applies on every
/// node at once.
/// </summary>
public sealed class MfaSettingsStore(IdentityProviderDbContext db, IOptions<MfaPolicyOptions> configured, IAuditLog audit, TimeProvider time)
{
    public async Task<MfaPolicySettings> GetAsync(CancellationToken cancellationToken)
    {
        var row = await db.MfaPolicySettings.AsNoTracking().SingleOrDefaultAsync(s => s.Id == MfaPolicySettingsEntity.SingletonId, cancellationToken);
        return row is null ? configured.Value.ToSettings() : ToSettings(row);
    }

    /// <summary>Saves and audits the change. Turning MFA off keeps every enrolled factor, and sends nothing to anyone (OpenCRM).</summary>
    /// <returns>Problems with the settings, or none when they were saved.</returns>
    public async Task<IReadOnlyList<string>> SaveAsync(MfaPolicySettings settings, string actor, CancellationToken cancellationToken)
    {
        var problems = Validate(settings);
        if (problems.Count > 0)
        {
            return problems;
        }

        var before = await GetAsync(cancellationToken);
        var row = await db.MfaPolicySettings.SingleOrDefaultAsync(s => s.Id == MfaPolicySettingsEntity.SingletonId, cancellationToken);
        if (row is null)
        {
            row = new MfaPolicySettingsEntity { EnforceFor = "" };
            db.MfaPolicySettings.Add(row);
        }

        row.MfaEnabled = settings.MfaEnabled;
        row.EnforceFor = settings.EnforceFor.ToString();
        row.EnforcedRoles = string.Join(' ', settings.EnforcedRoles);
        row.GraceSignIns = settings.GraceSignIns;
        row.GraceDays = settings.GraceDays;
        row.RememberBrowserDays = settings.RememberBrowserDays;
        row.EmailFallback = settings.EmailFallback;
        row.UpdatedAt = time.GetUtcNow();
        row.UpdatedBy = actor;
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.MfaPolicyChanged, actor, TargetType: "mfa-policy", TargetId: "global",
            Details: Describe(before, settings)), cancellationToken);
        return [];
    }

    public static IReadOnlyList<string> Validate(MfaPolicySettings settings)
    {
        var problems = new List<string>();
        if (settings.GraceSignIns is < 0 or > 100)
        {
            problems.Add("Grace sign-ins must be between 0 and 100.");
        }

        if (settings.GraceDays is < 0 or > 365)
        {
            problems.Add("Grace days must be between 0 and 365.");
        }

        if (settings.RememberBrowserDays is < 0 or > 365)
        {
            problems.Add("Remember-browser days must be between 0 and 365.");
        }

        if (settings.EnforceFor == EnforcementScope.Roles && settings.EnforcedRoles.Count == 0)
        {
            problems.Add("Name at least one role to enforce MFA for.");
        }

        if (settings.EnforcedRoles.Any(r => string.IsNullOrWhiteSpace(r) || r.Contains(' ', StringComparison.Ordinal)))
        {
            problems.Add("Role names cannot be empty or contain spaces.");
        }

        return problems;
    }

    private static MfaPolicySettings ToSettings(MfaPolicySettingsEntity row) => new(
        row.MfaEnabled,
        Enum.TryParse<EnforcementScope>(row.EnforceFor, out var scope) ? scope : EnforcementScope.None,
        row.EnforcedRoles.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        row.GraceSignIns,
        row.GraceDays,
        row.RememberBrowserDays,
        row.EmailFallback);

    private static string Describe(MfaPolicySettings before, MfaPolicySettings after)
    {
        var changes = new List<string>();
        void Compare<T>(string name, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
            {
                changes.Add($"{name}: {a} → {b}");
            }
        }

        Compare("enabled", before.MfaEnabled, after.MfaEnabled);
        Compare("enforce for", before.EnforceFor, after.EnforceFor);
        Compare("roles", string.Join(' ', before.EnforcedRoles), string.Join(' ', after.EnforcedRoles));
        Compare("grace sign-ins", before.GraceSignIns, after.GraceSignIns);
        Compare("grace days", before.GraceDays, after.GraceDays);
        Compare("remember browser days", before.RememberBrowserDays, after.RememberBrowserDays);
        Compare("email fallback", before.EmailFallback, after.EmailFallback);
        return changes.Count == 0 ? "no change" : string.Join("; ", changes);
    }
}
