using IdentityProvider.Persistence;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Pages.Admin;

public sealed record MfaAdoption(int Users, int WithAuthenticatorApp, int WithPasskeys, int WithoutSecondFactor)
{
    public int Percent(int count) => Users == 0 ? 0 : (int)Math.Round(100.0 * count / Users);
}

/// <summary>The console's first page: MFA adoption at a glance.</summary>
public sealed class IndexModel(IdentityProviderDbContext db) : PageModel
{
    public MfaAdoption Adoption { get; private set; } = new(0, 0, 0, 0);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var users = await db.Users.CountAsync(cancellationToken);
        var totp = await db.UserTotpSecrets.Where(s => s.ActivatedAt != null).Select(s => s.UserId).Distinct().CountAsync(cancellationToken);
        var passkeys = await db.UserPasskeys.Select(p => p.UserId).Distinct().CountAsync(cancellationToken);
        var without = await db.Users.CountAsync(u => !db.UserTotpSecrets.Any(s => s.UserId == u.Id && s.ActivatedAt != null)
            && !db.UserPasskeys.Any(p => p.UserId == u.Id), cancellationToken);
        Adoption = new MfaAdoption(users, totp, passkeys, without);
    }
}
