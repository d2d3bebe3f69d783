using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Stores;
using IdentityProvider.Protocol.Stores;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Account;

/// <summary>An application the user has allowed, as "My account" lists it.</summary>
public sealed record ConnectedApplication(string ClientId, string DisplayName, IReadOnlyList<string> Scopes, DateTimeOffset GrantedAt);

/// <summary>
/// The user's own view of remembered consent. Withdrawing it also revokes every grant the user
/// gave that client, so its refresh tokens stop working at once rather than at their expiry.
/// </summary>
public sealed class ConnectedApplications(
    IdentityProviderDbContext db,
    IConsentStore consents,
    IGrantStore grants,
    IAuditLog audit,
    TimeProvider time)
{
    public async Task<IReadOnlyList<ConnectedApplication>> ListAsync(string subject, CancellationToken cancellationToken)
    {
        var rows = await (from consent in db.Consents.AsNoTracking()
                          join client in db.Clients.AsNoTracking() on consent.ClientId equals client.ClientId into matched
                          from client in matched.DefaultIfEmpty()
                          where consent.Subject == subject
                          select new { consent.ClientId, DisplayName = client == null ? consent.ClientId : client.DisplayName, consent.Scopes, consent.GrantedAt })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new ConnectedApplication(r.ClientId, r.DisplayName, SpaceSeparated.Split(r.Scopes), r.GrantedAt))
            .OrderBy(a => a.DisplayName, StringComparer.CurrentCultureIgnoreCase).ToList();
    }

    /// <returns>False when the user had no consent for that client.</returns>
    public async Task<bool> RevokeAsync(string subject, string clientId, CancellationToken cancellationToken)
    {
        if (!await consents.RevokeAsync(subject, clientId, cancellationToken))
        {
            return false;
        }

        var revokedGrants = await grants.RevokeAllAsync(subject, clientId, time.GetUtcNow(), cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.ConsentRevoked, subject, TargetType: "client", TargetId: clientId,
            Details: $"grants revoked: {revokedGrants}"), cancellationToken);
        return true;
    }
}
