using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Admin.Users;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin.Users;

/// <summary>A new user: no password is typed here; the user is emailed a link to set one (<see cref="UserAccountChanges"/>).</summary>
[AdminPermission(AdminPermissions.UsersRead)]
[AdminPermission(AdminPermissions.UsersManage)]
public sealed class NewModel(
    UserAccountChanges changes, OrganisationDirectory organisations, RoleManager<IdentityRole> roles, IAuthenticationSessions sessions) : PageModel
{
    public const string Created = "The user has been created and emailed a link to set their password.";

    [BindProperty]
    public UserForm Form { get; set; } = new();

    public UserFieldsView Fields { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) => await ShowAsync(new Dictionary<string, string[]>(), cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var actor = (await sessions.GetCurrentAsync(HttpContext))!.Subject;
        var result = await changes.CreateAsync(Form.ToInput(), actor, cancellationToken);
        if (result.Outcome != UserAccountOutcome.Done)
        {
            await ShowAsync(result.Errors!, cancellationToken);
            return Page();
        }

        TempData[DetailModel.MessageKey] = Created;
        return new SeeOtherResult("/admin/users/" + Uri.EscapeDataString(result.UserId!));
    }

    private async Task ShowAsync(IReadOnlyDictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var (organisationList, roleList) = await UserFieldsView.ChoicesAsync(organisations, roles, cancellationToken);
        Fields = new UserFieldsView(Form, errors, organisationList, roleList, ShowMfaRequired: true);
    }
}
