using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Policy;

public enum RoleChange
{
    Done,

    /// <summary>Empty, too long, or with a space (the MFA settings keep role names space-separated).</summary>
    UnusableName,

    NameTaken,

    Unknown,

    /// <summary>The administrators' role holds the console's keys; deleting it would lock everyone out.</summary>
    Protected,

    /// <summary>A role with members is not deleted: that would silently take permissions and MFA enforcement from them.</summary>
    HasMembers,
}

/// <summary>A role and how many users hold it.</summary>
public sealed record RoleListing(string Name, int Members);

/// <summary>
/// The roles table, for the console and the admin API: roles are created and deleted here through
/// <see cref="RoleManager{TRole}"/>; who holds them is the users' business. Each change is audited.
/// </summary>
public sealed class RoleDirectory(RoleManager<IdentityRole> roles, IdentityProviderDbContext db, IAuditLog audit)
{
    public const int MaxNameLength = 256;

    public async Task<IReadOnlyList<RoleListing>> ListAsync(CancellationToken cancellationToken) =>
        await db.Roles.AsNoTracking().OrderBy(r => r.Name)
            .Select(r => new RoleListing(r.Name!, db.UserRoles.Count(ur => ur.RoleId == r.Id)))
            .ToListAsync(cancellationToken);

    public async Task<RoleListing?> FindAsync(string name, CancellationToken cancellationToken) =>
        await roles.FindByNameAsync(name) is { } role
            ? new RoleListing(role.Name!, await db.UserRoles.CountAsync(ur => ur.RoleId == role.Id, cancellationToken))
            : null;

    public async Task<RoleChange> CreateAsync(string name, string actor, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsWhiteSpace))
        {
            return RoleChange.UnusableName;
        }

        if (await roles.RoleExistsAsync(name) || !(await roles.CreateAsync(new IdentityRole(name))).Succeeded)
        {
            return RoleChange.NameTaken;
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.RoleCreated, actor, TargetType: "role", TargetId: name), cancellationToken);
        return RoleChange.Done;
    }

    public async Task<RoleChange> DeleteAsync(string name, string actor, CancellationToken cancellationToken)
    {
        if (await roles.FindByNameAsync(name) is not { } role)
        {
            return RoleChange.Unknown;
        }

        if (string.Equals(role.Name, Roles.Administrator, StringComparison.OrdinalIgnoreCase))
        {
            return RoleChange.Protected;
        }

        if (await db.UserRoles.AnyAsync(ur => ur.RoleId == role.Id, cancellationToken))
        {
            return RoleChange.HasMembers;
        }

        if (!(await roles.DeleteAsync(role)).Succeeded)
        {
            return RoleChange.Unknown;
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.RoleDeleted, actor, TargetType: "role", TargetId: role.Name), cancellationToken);
        return RoleChange.Done;
    }
}
