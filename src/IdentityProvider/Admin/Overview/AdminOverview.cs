using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Overview;

public sealed record MfaAdoption(int Users, int WithAuthenticatorApp, int WithPasskeys, int WithoutSecondFactor)
{
    public int Percent(int count) => Users == 0 ? 0 : (int)Math.Round(100.0 * count / Users);
}

/// <param name="Id">The organisation's id (the console links each bar to its members).</param>
public sealed record OrganisationAdoption(string Id, string Name, int Members, int WithSecondFactor)
{
    public int Percent => Members == 0 ? 0 : (int)Math.Round(100.0 * WithSecondFactor / Members);
}

/// <summary>Successful sign-ins of one UTC day, by the strongest method used.</summary>
public sealed record DailySignIns(DateOnly Day, int Passkey, int PasswordAndCode, int PasswordOnly)
{
    public int Total => Passkey + PasswordAndCode + PasswordOnly;
}

/// <summary>The console overview's figures: who has a second factor, by organisation, and how people signed in.</summary>
public sealed record AdminOverviewFigures(MfaAdoption Adoption, IReadOnlyList<OrganisationAdoption> Organisations, IReadOnlyList<DailySignIns> SignIns);

/// <summary>
/// MFA adoption at a glance, computed once for both the console's first page (which draws it) and
/// <c>GET /admin/api/overview</c> (which returns it), so the two never disagree.
/// </summary>
public sealed class AdminOverview(IdentityProviderDbContext db, TimeProvider time)
{
    /// <summary>How many UTC days, today included, the sign-ins cover.</summary>
    public const int Days = 30;

    public async Task<AdminOverviewFigures> GetAsync(CancellationToken cancellationToken)
    {
        var withTotp = db.UserTotpSecrets.Where(s => s.ActivatedAt != null).Select(s => s.UserId);
        var withPasskey = db.UserPasskeys.Select(p => p.UserId);
        var users = await db.Users.CountAsync(cancellationToken);
        var totp = await withTotp.Distinct().CountAsync(cancellationToken);
        var passkeys = await withPasskey.Distinct().CountAsync(cancellationToken);
        var without = await db.Users.CountAsync(u => !withTotp.Contains(u.Id) && !withPasskey.Contains(u.Id), cancellationToken);
        var adoption = new MfaAdoption(users, totp, passkeys, without);

        var organisations = await db.Organisations.AsNoTracking().OrderBy(o => o.Name)
            .Select(o => new
            {
                o.Id,
                o.Name,
                Members = db.OrganisationMembers.Count(m => m.OrganisationId == o.Id),
                Protected = db.OrganisationMembers.Count(m => m.OrganisationId == o.Id && (withTotp.Contains(m.UserId) || withPasskey.Contains(m.UserId))),
            })
            .ToListAsync(cancellationToken);
        return new AdminOverviewFigures(
            adoption,
            [.. organisations.Select(o => new OrganisationAdoption(o.Id, o.Name, o.Members, o.Protected))],
            await DailySignInsAsync(cancellationToken));
    }

    private async Task<IReadOnlyList<DailySignIns>> DailySignInsAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(-(Days - 1));
        var since = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        // The sign-in's amr is in the audit row's details ("amr: pwd otp mfa"); at most a month of rows.
        var rows = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == AuditActions.SignInSucceeded && e.OccurredAt >= since)
            .Select(e => new { e.OccurredAt, e.Details })
            .ToListAsync(cancellationToken);
        var byDay = rows
            .GroupBy(r => DateOnly.FromDateTime(r.OccurredAt.UtcDateTime))
            .ToDictionary(g => g.Key, g => g.Select(r => MethodOf(r.Details)).ToList());
        return [.. Enumerable.Range(0, Days).Select(offset =>
        {
            var day = first.AddDays(offset);
            var methods = byDay.GetValueOrDefault(day) ?? [];
            return new DailySignIns(day, methods.Count(m => m == Method.Passkey), methods.Count(m => m == Method.PasswordAndCode), methods.Count(m => m == Method.PasswordOnly));
        })];
    }

    private enum Method
    {
        Passkey,
        PasswordAndCode,
        PasswordOnly,
    }

    private static Method MethodOf(string? details)
    {
        var amr = (details ?? "").Replace("amr:", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (amr.Contains("hwk") || amr.Contains("swk"))
        {
            return Method.Passkey;
        }

        return amr.Contains("mfa") ? Method.PasswordAndCode : Method.PasswordOnly;
    }
}
