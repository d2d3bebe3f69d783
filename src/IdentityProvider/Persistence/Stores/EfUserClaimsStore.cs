using IdentityProvider.Protocol.Stores;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Persistence.Stores;

/// <summary>Claims from the Identity user row. Disabled users are not found, so their sessions and grants stop working.</summary>
public sealed class EfUserClaimsStore(IDbContextFactory<IdentityProviderDbContext> contexts) : IUserClaimsStore
{
    public async Task<UserClaims?> FindActiveAsync(string subject, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking()
            .Where(u => u.Id == subject && u.DisabledAt == null)
            .Select(u => new { u.Id, u.DisplayName, u.UserName, u.Email, u.EmailConfirmed })
            .SingleOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return null;
        }

        // Roles travel as "roles" (RFC 9068 §2.2.3.1 names it so for access tokens; the same name
        // keeps ID tokens and UserInfo consistent).
        var roles = await (from userRole in db.UserRoles
                           join role in db.Roles on userRole.RoleId equals role.Id
                           where userRole.UserId == subject
                           select role.Name).ToListAsync(cancellationToken);
        var claims = await db.UserClaims.Where(c => c.UserId == subject)
            .Select(c => new { c.ClaimType, c.ClaimValue }).ToListAsync(cancellationToken);
        return new UserClaims(user.Id, Name: user.DisplayName, PreferredUsername: user.UserName, Email: user.Email, EmailVerified: user.EmailConfirmed)
        {
            Additional = roles.Where(r => r is not null).Select(r => new KeyValuePair<string, string>("roles", r!))
                .Concat(claims.Where(c => c.ClaimType is not null && c.ClaimValue is not null)
                    .Select(c => new KeyValuePair<string, string>(c.ClaimType!, c.ClaimValue!)))
                .ToList(),
        };
    }
}
