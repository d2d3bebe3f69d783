using IdentityProvider.Persistence;
using IdentityProvider.Protocol.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Admin.Permissions;

/// <summary>
/// The permissions behind an access token: a user's come from the user's roles as stored now (not
/// from claims in the token, which a role change would leave stale); a client's own token gets what
/// configuration grants that client.
/// </summary>
public sealed class AdminPermissionResolver(IdentityProviderDbContext db, IOptionsMonitor<AdministrationOptions> options)
{
    public async Task<IReadOnlySet<string>> ResolveAsync(ValidatedAccessToken token, CancellationToken cancellationToken)
    {
        var administration = options.CurrentValue;
        if (!token.HasUser)
        {
            return administration.PermissionsOfClient(token.ClientId).ToHashSet(StringComparer.Ordinal);
        }

        return await ResolveForUserAsync(token.Subject, cancellationToken);
    }

    /// <summary>A user's permissions, from the roles they hold now: for the console's cookie session as for a user's token.</summary>
    public async Task<IReadOnlySet<string>> ResolveForUserAsync(string userId, CancellationToken cancellationToken)
    {
        var roles = await (from userRole in db.UserRoles
                           join role in db.Roles on userRole.RoleId equals role.Id
                           where userRole.UserId == userId && role.Name != null
                                 // A disabled account holds no permission, whatever session or token it still presents.
                                 && db.Users.Any(u => u.Id == userId && u.DisabledAt == null)
                           select role.Name!).ToListAsync(cancellationToken);
        return roles.SelectMany(options.CurrentValue.PermissionsOfRole).ToHashSet(StringComparer.Ordinal);
    }
}
