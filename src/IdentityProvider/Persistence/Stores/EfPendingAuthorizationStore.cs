using System.Text.Json;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Persistence.Stores;

public sealed class EfPendingAuthorizationStore(IDbContextFactory<IdentityProviderDbContext> contexts) : IPendingAuthorizationStore
{
    public async Task SaveAsync(PendingAuthorization pending, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.PendingAuthorizations.Add(new PendingAuthorizationEntity
        {
            IdHash = OpaqueTokens.Hash(pending.Id),
            Parameters = JsonSerializer.Serialize(pending.Parameters),
            CreatedAt = pending.CreatedAt,
            ExpiresAt = pending.ExpiresAt,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<PendingAuthorization?> FindAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hash = OpaqueTokens.Hash(id);
        var row = await db.PendingAuthorizations.AsNoTracking()
            .SingleOrDefaultAsync(p => p.IdHash == hash && p.ExpiresAt > now, cancellationToken);
        return row is null
            ? null
            : new PendingAuthorization(id, JsonSerializer.Deserialize<Dictionary<string, string>>(row.Parameters)!, row.CreatedAt, row.ExpiresAt,
                row.AuthenticatedSessionId, row.Consent);
    }

    public async Task<bool> SetAuthenticatedAsync(string id, string sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hash = OpaqueTokens.Hash(id);
        return await db.PendingAuthorizations.Where(p => p.IdHash == hash)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.AuthenticatedSessionId, sessionId), cancellationToken) == 1;
    }

    public async Task<bool> SetConsentAsync(string id, bool granted, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hash = OpaqueTokens.Hash(id);
        return await db.PendingAuthorizations.Where(p => p.IdHash == hash)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.Consent, granted), cancellationToken) == 1;
    }

    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hash = OpaqueTokens.Hash(id);
        return await db.PendingAuthorizations.Where(p => p.IdHash == hash).ExecuteDeleteAsync(cancellationToken) == 1;
    }
}
