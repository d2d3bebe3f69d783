using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Bootstrap;

internal static class AdministratorDirectory
{
    public static Task<bool> AnyAdministratorAsync(IdentityProviderDbContext db, CancellationToken cancellationToken) =>
        db.UserRoles.AnyAsync(
            userRole => db.Roles.Any(role => role.Id == userRole.RoleId && role.NormalizedName == Roles.Administrator.ToUpperInvariant()),
            cancellationToken);

    /// <summary>
    /// Where administrator notices go: every administrator with an address, confirmed or not (the
    /// first administrator's address is never confirmed by mail), except disabled accounts, whose
    /// owners no longer act for the provider.
    /// </summary>
    public static async Task<IReadOnlyList<string>> EmailAddressesAsync(IdentityProviderDbContext db, CancellationToken cancellationToken)
    {
        var role = Roles.Administrator.ToUpperInvariant();
        var addresses = await db.Users
            .Where(user => user.Email != null && user.DisabledAt == null)
            .Where(user => db.UserRoles.Any(userRole => userRole.UserId == user.Id
                && db.Roles.Any(r => r.Id == userRole.RoleId && r.NormalizedName == role)))
            .Select(user => user.Email!)
            .ToListAsync(cancellationToken);
        return addresses.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
    }
}
