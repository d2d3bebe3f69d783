using IdentityProvider.Admin.Clients;
using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin.Clients;

/// <summary>One client: change its settings, rotate its secret (the new one shown once), or remove it.</summary>
[AdminPermission(AdminPermissions.ClientsManage)]
public sealed class EditModel(ClientManager clients, IAuthenticationSessions sessions) : PageModel
{
    /// <summary>How long the previous secrets keep working after a rotation from the console.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromDays(1);

    public const string ConfirmRemovalText = "Tick the box to confirm that the client should be removed.";

    [BindProperty(SupportsGet = true)]
    public string ClientId { get; set; } = "";

    [BindProperty]
    public ClientForm Form { get; set; } = new();

    /// <summary>The removal form's "yes, remove it" box.</summary>
    [BindProperty]
    public bool Confirm { get; set; }

    public ClientEntity? Client { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public bool Saved { get; private set; }

    /// <summary>Set once, in the response to a rotation.</summary>
    public string? NewSecret { get; private set; }

    public bool UsesSecret => Client?.TokenEndpointAuthMethod is ClientAuthenticationMethods.ClientSecretBasic or ClientAuthenticationMethods.ClientSecretPost;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Form = ClientForm.From(ClientManager.ToRegistration(Client!));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Form.ClientId = ClientId;
        var result = await clients.UpdateAsync(Form.ToRegistration(), await ActorAsync(), cancellationToken);
        Errors = result.Errors;
        Saved = result.Succeeded;
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRotateAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var result = await clients.RotateSecretAsync(ClientId, RotationOverlap, await ActorAsync(), cancellationToken);
        Errors = result.Errors;
        NewSecret = result.NewSecret;
        await LoadAsync(cancellationToken);
        Form = ClientForm.From(ClientManager.ToRegistration(Client!));
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        if (!Confirm)
        {
            Errors = [ConfirmRemovalText];
            Form = ClientForm.From(ClientManager.ToRegistration(Client!));
            return Page();
        }

        await clients.RemoveAsync(ClientId, await ActorAsync(), cancellationToken);
        return new RedirectResult("/admin/clients", permanent: false) { PreserveMethod = false };
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        Client = await clients.FindAsync(ClientId, cancellationToken);
        return Client is not null;
    }

    private async Task<string> ActorAsync() => (await sessions.GetCurrentAsync(HttpContext))!.Subject;
}
