using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Users;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Policy;

public enum RoleAssignmentOutcome
{
    Done,

    UnknownUser,

    /// <summary>A named role does not exist; roles are created first (<see cref="RoleDirectory"/>).</summary>
    UnknownRoles,

    /// <summary>The change would leave no enabled administrator, so nobody could run the console again.</summary>
    LastAdministrator,
}

/// <param name="Roles">The user's roles afterwards (as named in the roles table), or the unknown names.</param>
public sealed record RoleAssignment(RoleAssignmentOutcome Outcome, IReadOnlyList<string> Roles);

/// <summary>
/// Replaces the roles a user holds. Roles carry admin permissions and MFA enforcement, so each
/// change is audited with the roles before and after, and the last enabled administrator keeps the
/// administrators' role (<see cref="LastAdministratorGuard"/>).
/// </summary>
public sealed class UserRoleAssignment(IdentityProviderDbContext db, RoleManager<IdentityRole> roleManager, LastAdministratorGuard administrators, IAuditLog audit)
{
    public async Task<RoleAssignment> ReplaceAsync(string userId, IReadOnlyList<string> roleNames, string actor, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return new(RoleAssignmentOutcome.UnknownUser, []);
        }

        // Role names compare without case, as Identity's do.
        var wanted = roleNames.Select(n => n.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var normalised = wanted.Select(n => roleManager.NormalizeKey(n)!).ToList();
        var found = await db.Roles.Where(r => normalised.Contains(r.NormalizedName!)).ToListAsync(cancellationToken);
        var unknown = wanted.Where(n => !found.Any(r => r.NormalizedName == roleManager.NormalizeKey(n))).ToList();
        if (unknown.Count > 0)
        {
            return new(RoleAssignmentOutcome.UnknownRoles, unknown);
        }

        var administratorName = roleManager.NormalizeKey(Roles.Administrator)!;
        return await administrators.RunAsync(async () =>
        {
            var current = await db.UserRoles.Where(ur => ur.UserId == userId)
                .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r)
                .ToListAsync(cancellationToken);
            var removed = current.Where(r => found.All(f => f.Id != r.Id)).ToList();
            var added = found.Where(f => current.All(r => r.Id != f.Id)).ToList();
            if (removed.Any(r => r.NormalizedName == administratorName)
                && await db.Users.AnyAsync(u => u.Id == userId && u.DisabledAt == null, cancellationToken)
                && !await administrators.OtherEnabledAdministratorExistsAsync(userId, cancellationToken))
            {
                return new RoleAssignment(RoleAssignmentOutcome.LastAdministrator, []);
            }

            var removedIds = removed.Select(r => r.Id).ToList();
            await db.UserRoles.Where(ur => ur.UserId == userId && removedIds.Contains(ur.RoleId)).ExecuteDeleteAsync(cancellationToken);
            db.UserRoles.AddRange(added.Select(r => new IdentityUserRole<string> { UserId = userId, RoleId = r.Id }));
            await db.SaveChangesAsync(cancellationToken);

            var before = Names(current);
            var after = Names(found);
            if (removed.Count > 0 || added.Count > 0)
            {
                await audit.RecordAsync(new AuditRecord(AuditActions.UserRolesChanged, actor, TargetType: "user", TargetId: userId,
                    Details: $"roles: {Describe(before)} → {Describe(after)}"), cancellationToken);
            }

            return new RoleAssignment(RoleAssignmentOutcome.Done, after);
        }, result => result.Outcome == RoleAssignmentOutcome.Done, cancellationToken);
    }

    private static List<string> Names(IEnumerable<IdentityRole> roles) => [.. roles.Select(r => r.Name!).Order(StringComparer.Ordinal)];

    private static string Describe(IReadOnlyList<string> names) => names.Count == 0 ? "(none)" : string.Join(' ', names);
}
