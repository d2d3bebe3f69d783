using IdentityProvider.Admin.Clients;
using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin.Clients;

/// <summary>
/// Registers a client. A generated secret is shown in the answer to the post and nowhere else:
/// the page is not cached (the console gate says no-store) and only the secret's hash is kept.
/// </summary>
[AdminPermission(AdminPermissions.ClientsManage)]
public sealed class NewModel(ClientManager clients, IAuthenticationSessions sessions) : PageModel
{
    [BindProperty]
    public ClientForm Form { get; set; } = new() { RequirePkce = true, GrantTypes = [Protocol.Primitives.GrantTypes.AuthorizationCode] };

    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>Set once, in the response to a successful post.</summary>
    public string? NewSecret { get; private set; }

    public bool Created { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostAsync(CancellationToken cancellationToken)
    {
        var actor = (await sessions.GetCurrentAsync(HttpContext))!.Subject;
        var result = await clients.AddAsync(Form.ToRegistration(), actor, cancellationToken);
        Errors = result.Errors;
        Created = result.Succeeded;
        NewSecret = result.NewSecret;
    }
}
