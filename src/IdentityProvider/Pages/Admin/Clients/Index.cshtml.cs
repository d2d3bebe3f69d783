using IdentityProvider.Admin.Clients;
using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin.Clients;

/// <summary>The registered clients. Secrets are never shown: only their hashes are stored.</summary>
[AdminPermission(AdminPermissions.ClientsManage)]
public sealed class IndexModel(ClientManager clients) : PageModel
{
    public IReadOnlyList<ClientEntity> Clients { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Clients = await clients.ListAsync(cancellationToken);
}
