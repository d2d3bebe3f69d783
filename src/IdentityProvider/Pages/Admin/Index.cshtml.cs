using System.Globalization;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Pages.Admin;

public sealed record MfaAdoption(int Users, int WithAuthenticatorApp, int WithPasskeys, int WithoutSecondFactor)
{
    public int Percent(int count) => Users == 0 ? 0 : (int)Math.Round(100.0 * count / Users);
}

/// <param name="Link">The users list filtered to this bar's users.</param>
public sealed record OrganisationAdoption(string Name, int Members, int WithSecondFactor, string Link)
{
    public int Percent => Members == 0 ? 0 : (int)Math.Round(100.0 * WithSecondFactor / Members);
}

/// <summary>Successful sign-ins of one UTC day, by the strongest method used.</summary>
public sealed record DailySignIns(DateOnly Day, int Passkey, int PasswordAndCode, int PasswordOnly)
{
    public int Total => Passkey + PasswordAndCode + PasswordOnly;
}

/// <summary>
/// The console's first page: MFA adoption at a glance, drawn as server-rendered SVG (no script),
/// each bar linking to the filtered users list or audit log behind it.
/// </summary>
public sealed class IndexModel(IdentityProviderDbContext db, TimeProvider time) : PageModel
{
    public const int Days = 30;

    public MfaAdoption Adoption { get; private set; } = new(0, 0, 0, 0);

    public IReadOnlyList<OrganisationAdoption> Organisations { get; private set; } = [];

    public IReadOnlyList<DailySignIns> SignIns { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var withTotp = db.UserTotpSecrets.Where(s => s.ActivatedAt != null).Select(s => s.UserId);
        var withPasskey = db.UserPasskeys.Select(p => p.UserId);
        var users = await db.Users.CountAsync(cancellationToken);
        var totp = await withTotp.Distinct().CountAsync(cancellationToken);
        var passkeys = await withPasskey.Distinct().CountAsync(cancellationToken);
        var without = await db.Users.CountAsync(u => !withTotp.Contains(u.Id) && !withPasskey.Contains(u.Id), cancellationToken);
        Adoption = new MfaAdoption(users, totp, passkeys, without);

        var organisations = await db.Organisations.AsNoTracking().OrderBy(o => o.Name)
            .Select(o => new
            {
                o.Id,
                o.Name,
                Members = db.OrganisationMembers.Count(m => m.OrganisationId == o.Id),
                Protected = db.OrganisationMembers.Count(m => m.OrganisationId == o.Id && (withTotp.Contains(m.UserId) || withPasskey.Contains(m.UserId))),
            })
            .ToListAsync(cancellationToken);
        Organisations = [.. organisations.Select(o => new OrganisationAdoption(o.Name, o.Members, o.Protected, "/admin/users?organisation=" + Uri.EscapeDataString(o.Id)))];

        SignIns = await DailySignInsAsync(cancellationToken);
    }

    public static string AuditLink(DateOnly day) =>
        "/admin/audit?action=" + AuditActions.SignInSucceeded
        + "&from=" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        + "&to=" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

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
