using System.Globalization;
using IdentityProvider.Admin.Overview;
using IdentityProvider.Infrastructure.Auditing;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin;

/// <summary>
/// The console's first page: MFA adoption at a glance, drawn as server-rendered SVG (no script),
/// each bar linking to the filtered users list or audit log behind it.
/// </summary>
public sealed class IndexModel(AdminOverview overview) : PageModel
{
    public const int Days = AdminOverview.Days;

    public MfaAdoption Adoption { get; private set; } = new(0, 0, 0, 0);

    public IReadOnlyList<OrganisationAdoption> Organisations { get; private set; } = [];

    public IReadOnlyList<DailySignIns> SignIns { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        (Adoption, Organisations, SignIns) = await overview.GetAsync(cancellationToken);

    /// <summary>The users list filtered to an organisation bar's users.</summary>
    public static string UsersLink(OrganisationAdoption organisation) => "/admin/users?organisation=" + Uri.EscapeDataString(organisation.Id);

    public static string AuditLink(DateOnly day) =>
        "/admin/audit?action=" + AuditActions.SignInSucceeded
        + "&from=" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        + "&to=" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
