using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Federation.Providers;
using IdentityProvider.Federation.Upstream;
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
public sealed class EditModel(
    UpstreamProviderManager manager, UpstreamProviderOverview overview, UpstreamMetadataCache metadata, IAuthenticationSessions sessions) : PageModel
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

    /// <summary>Set by the discovery test.</summary>
    public DiscoveryCheck? Discovery { get; private set; }

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

    /// <summary>
    /// Reads the upstream's discovery document and JWKS as a sign-in would (through the same cache, so a
    /// document fetched within the metadata lifetime is not asked again) and says whether they are usable.
    /// Needs <c>security.manage_settings</c>: it makes this server call out.
    /// </summary>
    [AdminPermission(AdminPermissions.SecurityManageSettings)]
    public async Task<IActionResult> OnPostDiscoveryAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        var provider = Summary!.Provider;
        Form = UpstreamProviderForm.From(provider);
        try
        {
            var document = await metadata.GetMetadataAsync(provider.Issuer, cancellationToken);
            var keys = await metadata.GetSigningKeysAsync(document, unknownKeyId: null, cancellationToken);
            Discovery = new DiscoveryCheck(true, document.TokenEndpoint.AbsoluteUri, keys.Count, null);
        }
        // The two ways the cache says the upstream is not usable; the reason names addresses, never secrets.
        catch (UpstreamUnavailableException ex)
        {
            Discovery = new DiscoveryCheck(false, null, 0, ex.Message);
        }
        catch (UpstreamIssuerMismatchException ex)
        {
            Discovery = new DiscoveryCheck(false, null, 0, ex.Message);
        }

        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        Summary = await overview.FindAsync(ProviderId, cancellationToken);
        return Summary is not null;
    }

    private async Task<string> ActorAsync() => (await sessions.GetCurrentAsync(HttpContext))!.Subject;
}

/// <param name="TokenEndpoint">From the discovery document, when it was read.</param>
/// <param name="Error">Why the metadata could not be used.</param>
public sealed record DiscoveryCheck(bool Succeeded, string? TokenEndpoint, int SigningKeys, string? Error);
