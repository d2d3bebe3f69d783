using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Federation.Providers;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin.Federation;

/// <summary>
/// The upstream providers users may sign in through, from configuration and from the console. Reading
/// needs <c>users.read</c> (the list counts linked users); adding and changing one needs
/// <c>security.manage_settings</c> as well, since a provider decides who may sign in and what for.
/// </summary>
[AdminPermission(AdminPermissions.UsersRead)]
public sealed class IndexModel(UpstreamProviderOverview overview) : PageModel
{
    public const string Path = "/admin/federation";

    public IReadOnlyList<UpstreamProviderSummary> Providers { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Providers = await overview.ListAsync(cancellationToken);
}
