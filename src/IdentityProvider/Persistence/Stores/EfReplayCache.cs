using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Stores;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Persistence.Stores;

/// <summary>
/// Single use through the primary key: of two inserts of the same key, on any nodes, the database
/// accepts one. An expired row is replaced by the next use of its key.
/// </summary>
public sealed class EfReplayCache(IDbContextFactory<IdentityProviderDbContext> contexts, TimeProvider time) : IReplayCache
{
    public async Task<bool> TryUseOnceAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        await db.UsedIdentifiers.Where(u => u.Key == key && u.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        db.UsedIdentifiers.Add(new UsedIdentifier { Key = key, ExpiresAt = expiresAt });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // The key exists: a replay. (Any other failure to insert also refuses the identifier,
            // which is the safe side for a single-use check.)
            return false;
        }
    }
}
