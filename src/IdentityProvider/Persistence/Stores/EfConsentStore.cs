using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Stores;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Persistence.Stores;

public sealed class EfConsentStore(IDbContextFactory<IdentityProviderDbContext> contexts) : IConsentStore
{
    public async Task<IReadOnlySet<string>> GetGrantedScopesAsync(string subject, string clientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var scopes = await db.Consents.Where(c => c.Subject == subject && c.ClientId == clientId).Select(c => c.Scopes).SingleOrDefaultAsync(cancellationToken);
        return SpaceSeparated.Split(scopes).ToHashSet(StringComparer.Ordinal);
    }

    public async Task GrantAsync(string subject, string clientId, IReadOnlyCollection<string> scopes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Consents.SingleOrDefaultAsync(c => c.Subject == subject && c.ClientId == clientId, cancellationToken);
        if (row is null)
        {
            db.Consents.Add(new ConsentEntity { Subject = subject, ClientId = clientId, Scopes = SpaceSeparated.Join(scopes.Order(StringComparer.Ordinal)), GrantedAt = now });
        }
        else
        {
            row.Scopes = SpaceSeparated.Join(SpaceSeparated.Split(row.Scopes).Union(scopes).Order(StringComparer.Ordinal));
            row.GrantedAt = now;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> RevokeAsync(string subject, string clientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Consents.Where(c => c.Subject == subject && c.ClientId == clientId).ExecuteDeleteAsync(cancellationToken) == 1;
    }
}
