using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Federation.Providers;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin.Federation;

/// <summary>
/// One upstream provider: its settings (changed with <c>security.manage_settings</c>) and its removal.
/// A provider defined in configuration is shown read-only; the manager refuses to change it, so a
/// crafted post changes nothing either.
/// </summary>
[AdminPermission(AdminPermissions.UsersRead)]
public sealed class EditModel(UpstreamProviderManager manager, UpstreamProviderOverview overview, IAuthenticationSessions sessions) : PageModel
{
    public const string ConfirmRemovalText = "Tick the box to confirm that the provider should be removed.";

    [BindProperty(SupportsGet = true)]
    public string ProviderId { get; set; } = "";

    /// <summary>Set by the redirect after the provider was added.</summary>
    [BindProperty(SupportsGet = true, Name = "created")]
    public bool Created { get; set; }

    [BindProperty]
    public UpstreamProviderForm Form { get; set; } = new();

    /// <summary>The removal form's "yes, remove it" box.</summary>
    [BindProperty]
    public bool Confirm { get; set; }

    public UpstreamProviderSummary? Summary { get; private set; }

    public IReadOnlyList<FieldProblem> Problems { get; private set; } = [];

    public bool Saved { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Form = UpstreamProviderForm.From(Summary!.Provider);
        return Page();
    }

    [AdminPermission(AdminPermissions.SecurityManageSettings)]
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        // The id is the route's: it names the provider in users' links and in the callback URL, so it never changes.
        Form.Id = ProviderId;
        var problems = new List<(string Field, string Message)>();
        var provider = Form.ToProvider(problems);
        if (problems.Count == 0)
        {
            var change = await manager.UpdateAsync(provider, Form.NewClientSecret, await ActorAsync(), cancellationToken);
            Saved = change.Succeeded;
            problems.AddRange(change.Problems.Select(p => (UpstreamProviderRules.FieldOf(p), p)));
        }

        Problems = [.. problems.Select(p => new FieldProblem(p.Field, p.Message))];
        Form.ClientSecret = null;
        await LoadAsync(cancellationToken);
        if (Saved)
        {
            Form = UpstreamProviderForm.From(Summary!.Provider);
        }

        return Page();
    }

    [AdminPermission(AdminPermissions.SecurityManageSettings)]
    public async Task<IActionResult> OnPostRemoveAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Form = UpstreamProviderForm.From(Summary!.Provider);
        if (!Confirm)
        {
            Problems = [new FieldProblem("", ConfirmRemovalText)];
            return Page();
        }

        var change = await manager.RemoveAsync(ProviderId, await ActorAsync(), cancellationToken);
        if (!change.Succeeded)
        {
            Problems = [.. change.Problems.Select(p => new FieldProblem("", p))];
            return Page();
        }

        return new SeeOtherResult(IndexModel.Path);
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        Summary = await overview.FindAsync(ProviderId, cancellationToken);
        return Summary is not null;
    }

    private async Task<string> ActorAsync() => (await sessions.GetCurrentAsync(HttpContext))!.Subject;
}
