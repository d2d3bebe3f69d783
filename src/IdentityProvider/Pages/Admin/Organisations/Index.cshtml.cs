using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Persistence;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Pages.Admin.Organisations;

/// <param name="MfaEnforced">Whether the MFA settings make this role's members use a second factor.</param>
public sealed record RoleSummary(string Name, int Members, bool MfaEnforced);

/// <summary>
/// Organisations with their "require MFA" switch, and the roles with whether MFA is enforced for
/// them. Reading needs <c>users.read</c>; every change needs <c>security.manage_settings</c> as
/// well, since each one can change who is asked for a second factor. The rules are
/// <see cref="OrganisationDirectory"/>'s; this page only shows and calls it.
/// </summary>
[AdminPermission(AdminPermissions.UsersRead)]
public sealed class IndexModel(
    OrganisationDirectory directory, RoleDirectory roleDirectory, MfaSettingsStore settings, IdentityProviderDbContext db, IAuthenticationSessions sessions) : PageModel
{
    public const string NameUnusable = "Enter a name of 1 to 200 characters.";
    public const string NameTaken = "An organisation with this name already exists.";
    public const string Unknown = "This organisation no longer exists.";

    public IReadOnlyList<OrganisationSummary> Organisations { get; private set; } = [];

    public IReadOnlyList<RoleSummary> Roles { get; private set; } = [];

    public MfaPolicySettings Settings { get; private set; } = null!;

    /// <summary>The organisation whose deletion awaits confirmation.</summary>
    public OrganisationSummary? ConfirmDelete { get; private set; }

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    [AdminPermission(AdminPermissions.SecurityManageSettings)]
    public async Task OnPostCreateAsync(string? name, bool requireMfa, CancellationToken cancellationToken)
    {
        if (name is null || !OrganisationDirectory.IsUsableName(name))
        {
            Error = NameUnusable;
        }
        else if (await directory.CreateAsync(name, requireMfa, await ActorAsync(), cancellationToken) is null)
        {
            // The name is usable, so the directory refused it because it is taken.
            Error = NameTaken;
        }
        else
        {
            Message = "The organisation was created.";
        }

        await LoadAsync(cancellationToken);
    }

    [AdminPermission(AdminPermissions.SecurityManageSettings)]
    public async Task OnPostRequireMfaAsync(string id, bool requireMfa, CancellationToken cancellationToken)
    {
        if (await directory.SetRequireMfaAsync(id, requireMfa, await ActorAsync(), cancellationToken))
        {
            Message = requireMfa ? "Members of the organisation must now use a second factor." : "Members of the organisation are no longer required to use a second factor.";
        }
        else
        {
            Error = Unknown;
        }

        await LoadAsync(cancellationToken);
    }

    /// <summary>Deletes only when <paramref name="confirmed"/>; otherwise asks first, naming what goes.</summary>
    [AdminPermission(AdminPermissions.SecurityManageSettings)]
    public async Task OnPostDeleteAsync(string id, bool confirmed, CancellationToken cancellationToken)
    {
        if (!confirmed)
        {
            ConfirmDelete = await directory.FindAsync(id, cancellationToken);
            Error = ConfirmDelete is null ? Unknown : null;
        }
        else if (await directory.DeleteAsync(id, await ActorAsync(), cancellationToken))
        {
            Message = "The organisation was deleted. Its members keep their factors.";
        }
        else
        {
            Error = Unknown;
        }

        await LoadAsync(cancellationToken);
    }

    [AdminPermission(AdminPermissions.SecurityManageSettings)]
    public async Task OnPostCreateRoleAsync(string? roleName, CancellationToken cancellationToken)
    {
        Show(await roleDirectory.CreateAsync(roleName ?? "", await ActorAsync(), cancellationToken), "The role was created.");
        await LoadAsync(cancellationToken);
    }

    [AdminPermission(AdminPermissions.SecurityManageSettings)]
    public async Task OnPostDeleteRoleAsync(string roleName, CancellationToken cancellationToken)
    {
        Show(await roleDirectory.DeleteAsync(roleName, await ActorAsync(), cancellationToken), "The role was deleted.");
        await LoadAsync(cancellationToken);
    }

    private void Show(RoleChange change, string done)
    {
        Message = change == RoleChange.Done ? done : null;
        Error = change switch
        {
            RoleChange.Done => null,
            RoleChange.UnusableName => "Enter a role name of 1 to 256 characters, without spaces.",
            RoleChange.NameTaken => "A role with this name already exists.",
            RoleChange.Protected => "The administrators' role cannot be deleted.",
            RoleChange.HasMembers => "Only a role without members can be deleted.",
            _ => "This role no longer exists.",
        };
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Organisations = await directory.ListAsync(cancellationToken);
        Settings = await settings.GetAsync(cancellationToken);
        var roles = await db.Roles.AsNoTracking().OrderBy(r => r.Name)
            .Select(r => new { r.Name, Members = db.UserRoles.Count(ur => ur.RoleId == r.Id) })
            .ToListAsync(cancellationToken);
        Roles = [.. roles.Select(r => new RoleSummary(r.Name!, r.Members, EnforcesMfa(Settings, r.Name!)))];
    }

    /// <summary>What the "enforce for" setting says for the role alone; organisations, clients and users' own choices can add to it.</summary>
    private static bool EnforcesMfa(MfaPolicySettings settings, string role) =>
        settings.EnforceFor == EnforcementScope.AllUsers || (settings.EnforceFor == EnforcementScope.Roles && settings.NamesRole(role));

    private async Task<string> ActorAsync() =>
        (await sessions.GetCurrentAsync(HttpContext))?.Subject ?? throw new InvalidOperationException("console post without a session");
}
