using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Bootstrap;

internal static class AdministratorDirectory
{
    public static Task<bool> AnyAdministratorAsync(IdentityProviderDbContext db, CancellationToken cancellationToken) =>
        db.UserRoles.AnyAsync(
            userRole => db.Roles.Any(role => role.Id == userRole.RoleId && role.NormalizedName == Roles.Administrator.ToUpperInvariant()),
            cancellationToken);
}
