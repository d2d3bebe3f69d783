using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Endpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Admin.Bootstrap;

/// <summary>Creates a single-use, expiring link to create the first administrator.</summary>
public sealed class SetupLinkIssuer(
    IdentityProviderDbContext db,
    IAuditLog audit,
    TimeProvider time,
    IOptions<BootstrapOptions> options,
    IOptions<OpenIdServerOptions> server)
{
    /// <summary>
    /// At start-up: a link only when no administrator exists and no earlier link is still valid,
    /// so restarting (or starting several nodes) on the same database changes nothing.
    /// </summary>
    public async Task<SetupLinkIssue> IssueAtStartupAsync(CancellationToken cancellationToken)
    {
        if (await AdministratorDirectory.AnyAdministratorAsync(db, cancellationToken))
        {
            return new SetupLinkIssue(null, null);
        }

        var now = time.GetUtcNow();
        var outstanding = await db.SetupTokens
            .Where(t => t.UsedAt == null && t.ExpiresAt > now)
            .OrderByDescending(t => t.ExpiresAt)
            .Select(t => (DateTimeOffset?)t.ExpiresAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (outstanding is not null)
        {
            return new SetupLinkIssue(null, outstanding);
        }

        return new SetupLinkIssue(await IssueAsync(email: null, AuditActors.System, cancellationToken), null);
    }

    /// <summary>On an operator's request (<c>admin create</c>): always a new link while no administrator exists.</summary>
    /// <returns>The link, or null when an administrator already exists (no link is needed then).</returns>
    public async Task<SetupLink?> IssueIfNoAdministratorAsync(string? email, string actor, CancellationToken cancellationToken)
    {
        if (await AdministratorDirectory.AnyAdministratorAsync(db, cancellationToken))
        {
            return null;
        }

        return await IssueAsync(email, actor, cancellationToken);
    }

    private async Task<SetupLink> IssueAsync(string? email, string actor, CancellationToken cancellationToken)
    {
        var token = SetupTokenHasher.NewToken();
        var now = time.GetUtcNow();
        var row = new SetupToken
        {
            Id = Guid.NewGuid(),
            TokenHash = SetupTokenHasher.Hash(token),
            Email = string.IsNullOrWhiteSpace(email) ? null : email.Trim(),
            CreatedAt = now,
            ExpiresAt = now + options.Value.SetupLinkLifetime,
        };
        db.SetupTokens.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(
            new AuditRecord(AuditActions.SetupLinkIssued, actor, TargetType: "setup_token", TargetId: row.Id.ToString(),
                Details: row.Email is null ? null : $"bound to {row.Email}"),
            cancellationToken);

        var url = new Uri(server.Value.UrlOf("setup?token=" + token));
        return new SetupLink(url, row.ExpiresAt);
    }
}

public sealed record SetupLink(Uri Url, DateTimeOffset ExpiresAt);

/// <summary>Either a new link, or the expiry of an earlier one that is still valid, or neither (an administrator exists).</summary>
public sealed record SetupLinkIssue(SetupLink? NewLink, DateTimeOffset? OutstandingUntil);
