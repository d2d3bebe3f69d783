using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Account;

public enum EmailedLinkState
{
    Valid,
    Unknown,
    Used,
    Expired,
}

/// <summary>
/// The rules every emailed single-use link follows (lost device, password reset): a random token
/// of which only the hash is stored, one live link per account, an expiry, and issue and use each
/// decided by one conditional statement, so they hold across every node.
/// </summary>
public sealed class EmailedLinks(IdentityProviderDbContext db, TimeProvider time)
{
    /// <summary>The row of <paramref name="token"/>, or null for an absent, oversized or unknown token.</summary>
    public async Task<TLink?> FindAsync<TLink>(string? token, CancellationToken cancellationToken)
        where TLink : class, IEmailedLink
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = SetupTokenHasher.Hash(token);
        return await db.Set<TLink>().AsNoTracking().SingleOrDefaultAsync(l => l.TokenHash == hash, cancellationToken);
    }

    public EmailedLinkState StateOf(IEmailedLink? link) =>
        link is null ? EmailedLinkState.Unknown
        : link.UsedAt is not null ? EmailedLinkState.Used
        : link.ExpiresAt <= time.GetUtcNow() ? EmailedLinkState.Expired
        : EmailedLinkState.Valid;

    /// <summary>
    /// Spends the link. Of two parallel uses (on one node or several) exactly one update finds the
    /// row unused, and a link replaced since it was read no longer matches the hash.
    /// </summary>
    public async Task<bool> TryUseAsync<TLink>(TLink link, CancellationToken cancellationToken)
        where TLink : class, IEmailedLink
    {
        var now = time.GetUtcNow();
        var (userId, hash) = (link.UserId, link.TokenHash);
        return await db.Set<TLink>()
            .Where(l => l.UserId == userId && l.TokenHash == hash && l.UsedAt == null && l.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(l => EF.Property<DateTimeOffset?>(l, nameof(IEmailedLink.UsedAt)), now), cancellationToken) == 1;
    }

    /// <summary>
    /// Makes <paramref name="row"/> the user's one link, unless the user has a link created after
    /// <paramref name="notAfter"/> (null: whatever the user has is replaced). The earlier token
    /// stops working.
    /// </summary>
    /// <remarks>
    /// A row with an empty user id issues nothing but runs the same lookups, matching nothing: a
    /// caller that must not reveal whether an account exists passes one for a refused request.
    /// </remarks>
    /// <returns>False when a newer link stands, or a parallel request issued one first.</returns>
    public async Task<bool> TryIssueAsync<TLink>(TLink row, DateTimeOffset? notAfter, CancellationToken cancellationToken)
        where TLink : class, IEmailedLink
    {
        var userId = row.UserId;
        var links = db.Set<TLink>().Where(l => l.UserId == userId);
        await (notAfter is { } latest ? links.Where(l => l.CreatedAt <= latest) : links).ExecuteDeleteAsync(cancellationToken);
        // The user id is the key: should a parallel request insert first, the database refuses this one.
        return !await links.AnyAsync(cancellationToken) && userId.Length > 0 && await db.TryInsertAsync(row, cancellationToken);
    }
}
