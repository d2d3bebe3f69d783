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
        return user is null
            ? null
            : new UserClaims(user.Id, Name: user.DisplayName, PreferredUsername: user.UserName, Email: user.Email, EmailVerified: user.EmailConfirmed);
    }
}
