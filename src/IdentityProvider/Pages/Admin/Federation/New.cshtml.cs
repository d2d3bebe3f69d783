using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Federation.Providers;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin.Federation;

/// <summary>Adds an upstream provider; the rules are <see cref="UpstreamProviderManager"/>'s, shown next to their fields.</summary>
[AdminPermission(AdminPermissions.UsersRead)]
[AdminPermission(AdminPermissions.SecurityManageSettings)]
public sealed class NewModel(UpstreamProviderManager manager, IAuthenticationSessions sessions) : PageModel
{
    [BindProperty]
    public UpstreamProviderForm Form { get; set; } = new() { ProvisionUsers = true, Enabled = true };

    public IReadOnlyList<FieldProblem> Problems { get; private set; } = [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var problems = new List<(string Field, string Message)>();
        var provider = Form.ToProvider(problems);
        if (problems.Count == 0)
        {
            var actor = (await sessions.GetCurrentAsync(HttpContext))!.Subject;
            var change = await manager.CreateAsync(provider, Form.NewClientSecret, actor, cancellationToken);
            if (change.Succeeded)
            {
                return new SeeOtherResult($"/admin/federation/{Uri.EscapeDataString(provider.Id)}?created=true");
            }

            problems.AddRange(change.Problems.Select(p => (UpstreamProviderRules.FieldOf(p), p)));
        }

        Problems = [.. problems.Select(p => new FieldProblem(p.Field, p.Message))];
        // The secret typed is not sent back: the operator enters it again with the corrections.
        Form.ClientSecret = null;
        return Page();
    }
}
