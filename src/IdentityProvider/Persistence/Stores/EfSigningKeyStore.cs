using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Stores;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Persistence.Stores;

/// <summary>Signing keys in the database, so every node signs with and publishes the same keys.</summary>
public sealed class EfSigningKeyStore(IDbContextFactory<IdentityProviderDbContext> contexts) : ISigningKeyStore
{
    public async Task<IReadOnlyList<SigningKey>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.SigningKeys.AsNoTracking().ToListAsync(cancellationToken);
        return rows.Select(row => new SigningKey
        {
            KeyId = row.KeyId,
            Algorithm = row.Algorithm,
            CreatedAt = row.CreatedAt,
            ActivatesAt = row.ActivatesAt,
            RetiresAt = row.RetiresAt,
            RevokedAt = row.RevokedAt,
            PublicJwk = row.PublicJwk,
            ProtectedPrivateKey = row.ProtectedPrivateKey,
        }).ToList();
    }

    public async Task AddAsync(SigningKey key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.SigningKeys.Add(new SigningKeyEntity
        {
            KeyId = key.KeyId,
            Algorithm = key.Algorithm,
            CreatedAt = key.CreatedAt,
            ActivatesAt = key.ActivatesAt,
            RetiresAt = key.RetiresAt,
            RevokedAt = key.RevokedAt,
            PublicJwk = key.PublicJwk,
            ProtectedPrivateKey = key.ProtectedPrivateKey,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.SigningKeys
            .Where(k => k.KeyId == keyId && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, revokedAt), cancellationToken) == 1;
    }
}
