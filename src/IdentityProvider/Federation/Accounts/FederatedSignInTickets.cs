using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Federation.Accounts;

/// <summary>
/// Upstream sign-ins in progress, in the database: created by the upstream callback's hand-over,
/// read by the link page, and taken exactly once when the local sign-in completes.
/// </summary>
public sealed class FederatedSignInTickets(IdentityProviderDbContext db, TimeProvider time)
{
    /// <summary>As long as the partial sign-in that refers to it (ten minutes).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <returns>The new ticket's id.</returns>
    public async Task<string> CreateAsync(UpstreamIdentity identity, string userId, bool linkAccount, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var ticket = new FederatedSignInTicket
        {
            Id = OpaqueTokens.New(),
            ProviderId = identity.ProviderId,
            Subject = identity.Subject,
            UserId = userId,
            UpstreamEmail = identity.Email is { Length: <= 256 } email ? email : null,
            IdToken = identity.IdToken,
            LinkAccount = linkAccount,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        db.FederatedSignInTickets.Add(ticket);
        await db.SaveChangesAsync(cancellationToken);
        return ticket.Id;
    }

    /// <returns>The live ticket of <paramref name="userId"/>, or null (unknown, expired or already taken).</returns>
    public async Task<FederatedSignInTicket?> FindAsync(string? ticketId, string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return ticketId is null
            ? null
            : await db.FederatedSignInTickets.AsNoTracking()
                .SingleOrDefaultAsync(t => t.Id == ticketId && t.UserId == userId && t.ExpiresAt > now, cancellationToken);
    }

    /// <summary>
    /// Takes the ticket for good: one conditional DELETE, so of two completions of the same
    /// sign-in (a replayed cookie, a second node) exactly one gets it.
    /// </summary>
    /// <returns>The ticket, or null when it was unknown, expired or already taken.</returns>
    public async Task<FederatedSignInTicket?> TakeAsync(string ticketId, string userId, CancellationToken cancellationToken)
    {
        if (await FindAsync(ticketId, userId, cancellationToken) is not { } ticket)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var taken = await db.FederatedSignInTickets.Where(t => t.Id == ticketId && t.UserId == userId && t.ExpiresAt > now)
            .ExecuteDeleteAsync(cancellationToken);
        return taken == 1 ? ticket : null;
    }

    /// <summary>The user declined the link: the ticket goes, so nothing can complete it later.</summary>
    public Task DiscardAsync(string ticketId, CancellationToken cancellationToken) =>
        db.FederatedSignInTickets.Where(t => t.Id == ticketId).ExecuteDeleteAsync(cancellationToken);
}
