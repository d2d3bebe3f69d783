using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Stores;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Persistence.Stores;

public sealed class EfAuthorizationCodeStore(IDbContextFactory<IdentityProviderDbContext> contexts) : IAuthorizationCodeStore
{
    public async Task StoreAsync(string codeHash, AuthorizationCodeRecord code, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AuthorizationCodes.Add(new AuthorizationCodeEntity
        {
            CodeHash = codeHash,
            ClientId = code.ClientId,
            GrantId = code.GrantId,
            Subject = code.Subject,
            SessionId = code.SessionId,
            RedirectUri = code.RedirectUri,
            Scopes = SpaceSeparated.Join(code.Scopes),
            Nonce = code.Nonce,
            CodeChallenge = code.CodeChallenge,
            AuthTime = code.AuthTime,
            Amr = SpaceSeparated.Join(code.Amr),
            Acr = code.Acr,
            ExpiresAt = code.ExpiresAt,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<CodeRedemption> RedeemAsync(string codeHash, string clientId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // One conditional UPDATE: the database serialises concurrent redemptions of the row, and
        // only the first sees RedeemedAt still null.
        var redeemed = await db.AuthorizationCodes
            .Where(c => c.CodeHash == codeHash && c.ClientId == clientId && c.RedeemedAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.RedeemedAt, now), cancellationToken);
        var row = await db.AuthorizationCodes.AsNoTracking()
            .SingleOrDefaultAsync(c => c.CodeHash == codeHash && c.ClientId == clientId, cancellationToken);
        if (row is null)
        {
            return CodeRedemption.Invalid;
        }

        if (redeemed == 1)
        {
            return new CodeRedemption(CodeRedemptionStatus.Redeemed, ToRecord(row));
        }

        return row.RedeemedAt is null ? CodeRedemption.Invalid : new CodeRedemption(CodeRedemptionStatus.AlreadyRedeemed, ToRecord(row));
    }

    private static AuthorizationCodeRecord ToRecord(AuthorizationCodeEntity row) => new(
        row.ClientId, row.GrantId, row.Subject, row.SessionId, row.RedirectUri, SpaceSeparated.Split(row.Scopes),
        row.Nonce, row.CodeChallenge, row.AuthTime, SpaceSeparated.Split(row.Amr), row.Acr, row.ExpiresAt);
}
