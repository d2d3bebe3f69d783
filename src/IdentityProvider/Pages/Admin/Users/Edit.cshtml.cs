using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Admin.Users;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Persistence;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Pages.Admin.Users;

/// <summary>A user's email, display name, roles and organisation (<see cref="UserAccountChanges.UpdateAsync"/>).</summary>
[AdminPermission(AdminPermissions.UsersRead)]
[AdminPermission(AdminPermissions.UsersManage)]
public sealed class EditModel(
    UserAccountChanges changes, IdentityProviderDbContext db, UserDetails details, OrganisationDirectory organisations,
    RoleManager<IdentityRole> roles, IAuthenticationSessions sessions) : PageModel
{
    public const string Saved = "The user's details have been saved.";

    [BindProperty]
    public UserForm Form { get; set; } = new();

    public UserFieldsView Fields { get; private set; } = null!;

    public string Name { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        if (await details.FindAsync(id, cancellationToken) is not { } user)
        {
            return NotFound();
        }

        Form = new UserForm
        {
            Email = user.Email,
            DisplayName = await db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).SingleAsync(cancellationToken),
            OrganisationId = await db.OrganisationMembers.Where(m => m.UserId == id).Select(m => m.OrganisationId).FirstOrDefaultAsync(cancellationToken),
            Roles = [.. user.Roles],
        };
        Name = user.Name;
        await ShowAsync(new Dictionary<string, string[]>(), cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        var actor = (await sessions.GetCurrentAsync(HttpContext))!.Subject;
        var result = await changes.UpdateAsync(id, Form.ToInput(), actor, cancellationToken);
        switch (result.Outcome)
        {
            case UserAccountOutcome.Done:
                TempData[DetailModel.MessageKey] = Saved;
                return new SeeOtherResult("/admin/users/" + Uri.EscapeDataString(id));
            case UserAccountOutcome.UnknownUser:
                return NotFound();
            default:
                Name = (await details.FindAsync(id, cancellationToken))?.Name ?? id;
                await ShowAsync(result.Errors ?? new Dictionary<string, string[]> { ["roles"] = [UserAccountChanges.LastAdministratorRole] }, cancellationToken);
                return Page();
        }
    }

    private async Task ShowAsync(IReadOnlyDictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var (organisationList, roleList) = await UserFieldsView.ChoicesAsync(organisations, roles, cancellationToken);
        Fields = new UserFieldsView(Form, errors, organisationList, roleList, ShowMfaRequired: false);
    }
}
