using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Pages.Admin.Organisations;

public sealed record OrganisationMemberRow(string UserId, string? UserName, string? Email);

/// <summary>
/// One organisation's members. Adding a user moves them here from any other organisation (a user
/// belongs to at most one). Reading needs <c>users.read</c>; adding and removing also
/// <c>security.manage_settings</c>.
/// </summary>
[AdminPermission(AdminPermissions.UsersRead)]
public sealed class MembersModel(
    OrganisationDirectory directory, IdentityProviderDbContext db, UserManager<ApplicationUser> users, IAuthenticationSessions sessions) : PageModel
{
    public const string UnknownUser = "No user has this username or email address.";

    public OrganisationSummary Organisation { get; private set; } = null!;

    public IReadOnlyList<OrganisationMemberRow> Members { get; private set; } = [];

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    [AdminPermission(AdminPermissions.SecurityManageSettings)]
    public async Task<IActionResult> OnPostAddAsync(string id, string? user, CancellationToken cancellationToken)
    {
        if (await directory.FindAsync(id, cancellationToken) is null)
        {
            return NotFound();
        }

        var found = string.IsNullOrWhiteSpace(user) ? null : await users.FindByNameAsync(user.Trim()) ?? await users.FindByEmailAsync(user.Trim());
        if (found is null)
        {
            Error = UnknownUser;
        }
        else if (await directory.SetMembershipAsync(found.Id, id, await ActorAsync(), cancellationToken))
        {
            Message = "The user was added.";
        }
        else
        {
            return NotFound();
        }

        await LoadAsync(id, cancellationToken);
        return Page();
    }

    [AdminPermission(AdminPermissions.SecurityManageSettings)]
    public async Task<IActionResult> OnPostRemoveAsync(string id, string userId, CancellationToken cancellationToken)
    {
        // Only a member of this organisation leaves it: a stale form cannot take a user out of another one.
        if (await db.OrganisationMembers.AnyAsync(m => m.UserId == userId && m.OrganisationId == id, cancellationToken)
            && await directory.SetMembershipAsync(userId, null, await ActorAsync(), cancellationToken))
        {
            Message = "The user was removed from the organisation. Their factors are kept.";
        }

        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(string id, CancellationToken cancellationToken)
    {
        if (await directory.FindAsync(id, cancellationToken) is not { } organisation)
        {
            return false;
        }

        Organisation = organisation;
        Members = await db.OrganisationMembers.AsNoTracking().Where(m => m.OrganisationId == id)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => u)
            .OrderBy(u => u.UserName)
            .Select(u => new OrganisationMemberRow(u.Id, u.UserName, u.Email))
            .ToListAsync(cancellationToken);
        return true;
    }

    private async Task<string> ActorAsync() =>
        (await sessions.GetCurrentAsync(HttpContext))?.Subject ?? throw new InvalidOperationException("console post without a session");
}
