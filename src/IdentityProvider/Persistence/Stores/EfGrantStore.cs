using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Stores;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Persistence.Stores;

public sealed class EfGrantStore(IDbContextFactory<IdentityProviderDbContext> contexts, TimeProvider time) : IGrantStore
{
    public async Task CreateAsync(GrantRecord grant, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = new GrantEntity
        {
            GrantId = grant.GrantId,
            ClientId = grant.ClientId,
            Subject = grant.Subject,
            SessionId = grant.SessionId,
            Scopes = SpaceSeparated.Join(grant.Scopes),
            AuthTime = grant.AuthTime,
            Amr = SpaceSeparated.Join(grant.Amr),
            Acr = grant.Acr,
            CreatedAt = grant.CreatedAt,
            ExpiresAt = grant.ExpiresAt,
        };
        db.Grants.Add(entity);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A replay of the code got here first and left a revoked placeholder (see RevokeAsync):
            // the grant takes its real content but stays revoked.
            await db.Grants.Where(g => g.GrantId == grant.GrantId).ExecuteUpdateAsync(set => set
                .SetProperty(g => g.ClientId, entity.ClientId)
                .SetProperty(g => g.Subject, entity.Subject)
                .SetProperty(g => g.SessionId, entity.SessionId)
                .SetProperty(g => g.Scopes, entity.Scopes)
                .SetProperty(g => g.AuthTime, entity.AuthTime)
                .SetProperty(g => g.Amr, entity.Amr)
                .SetProperty(g => g.Acr, entity.Acr)
                .SetProperty(g => g.CreatedAt, entity.CreatedAt)
                .SetProperty(g => g.ExpiresAt, entity.ExpiresAt), cancellationToken);
        }
    }

    public async Task<GrantRecord?> FindActiveAsync(string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Grants.AsNoTracking()
            .SingleOrDefaultAsync(g => g.GrantId == grantId && g.RevokedAt == null && g.ExpiresAt > now, cancellationToken);
        return row is null ? null : ToRecord(row);
    }

    public async Task<bool> RevokeAsync(string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var revoked = await db.Grants.Where(g => g.GrantId == grantId && g.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(g => g.RevokedAt, now), cancellationToken);
        if (revoked == 0 && !await db.Grants.AnyAsync(g => g.GrantId == grantId, cancellationToken))
        {
            // A code replayed before its first redemption finished issuing: the grant row does not
            // exist yet. A revoked placeholder makes the grant that issuance creates born revoked,
            // exactly as if the replay had come after it.
            db.Grants.Add(new GrantEntity
            {
                GrantId = grantId, ClientId = "", Subject = "", Scopes = "", Amr = "",
                CreatedAt = now, ExpiresAt = now, RevokedAt = now,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Inserted meanwhile by the issuance itself: revoke that row instead.
                await db.Grants.Where(g => g.GrantId == grantId && g.RevokedAt == null)
                    .ExecuteUpdateAsync(set => set.SetProperty(g => g.RevokedAt, now), cancellationToken);
            }

            return true;
        }

        return revoked == 1;
    }

    public async Task<int> RevokeAllAsync(string subject, string clientId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Grants.Where(g => g.Subject == subject && g.ClientId == clientId && g.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(g => g.RevokedAt, now), cancellationToken);
    }

    public async Task AddRefreshTokenAsync(string tokenHash, string grantId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.RefreshTokens.Add(new RefreshTokenEntity { TokenHash = tokenHash, GrantId = grantId, CreatedAt = time.GetUtcNow(), ExpiresAt = expiresAt });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<RefreshTokenUse> UseRefreshTokenAsync(string tokenHash, string clientId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // The conditional UPDATE is the single-use decision, whichever node runs it.
        var consumed = await db.RefreshTokens
            .Where(t => t.TokenHash == tokenHash && t.ConsumedAt == null && t.ExpiresAt > now)
            .Where(t => db.Grants.Any(g => g.GrantId == t.GrantId && g.ClientId == clientId && g.RevokedAt == null && g.ExpiresAt > now))
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.ConsumedAt, now), cancellationToken);
        var row = await (from t in db.RefreshTokens.AsNoTracking()
                         join g in db.Grants.AsNoTracking() on t.GrantId equals g.GrantId
                         where t.TokenHash == tokenHash && g.ClientId == clientId
                         select new { t.ConsumedAt, Grant = g }).SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return RefreshTokenUse.Invalid;
        }

        if (consumed == 1)
        {
            return new RefreshTokenUse(RefreshTokenUseStatus.Rotated, ToRecord(row.Grant), row.Grant.GrantId);
        }

        return row.ConsumedAt is not null && row.Grant.RevokedAt is null
            ? new RefreshTokenUse(RefreshTokenUseStatus.Reused, null, row.Grant.GrantId)
            : RefreshTokenUse.Invalid;
    }

    public async Task<ActiveRefreshToken?> FindByRefreshTokenAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await (from t in db.RefreshTokens.AsNoTracking()
                         join g in db.Grants.AsNoTracking() on t.GrantId equals g.GrantId
                         where t.TokenHash == tokenHash && t.ConsumedAt == null && t.ExpiresAt > now && g.RevokedAt == null && g.ExpiresAt > now
                         select new { t.ExpiresAt, Grant = g }).SingleOrDefaultAsync(cancellationToken);
        return row is null ? null : new ActiveRefreshToken(ToRecord(row.Grant), row.ExpiresAt);
    }

    private static GrantRecord ToRecord(GrantEntity row) => new(
        row.GrantId, row.ClientId, row.Subject, row.SessionId, SpaceSeparated.Split(row.Scopes), row.AuthTime,
        SpaceSeparated.Split(row.Amr), row.Acr, row.CreatedAt, row.ExpiresAt);
}
