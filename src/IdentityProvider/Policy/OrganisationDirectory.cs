using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Policy;

public sealed record OrganisationSummary(string Id, string Name, bool RequireMfa, int Members);

/// <summary>
/// Organisations (companies) and who belongs to them. "Require MFA" on one (m2v) makes every member
/// without a factor set one up at their next sign-in; turning it off stops asking those who have
/// not, and leaves every enrolled factor in place.
/// </summary>
public sealed class OrganisationDirectory(IdentityProviderDbContext db, IAuditLog audit, TimeProvider time)
{
    public const int MaxNameLength = 200;

    public async Task<IReadOnlyList<OrganisationSummary>> ListAsync(CancellationToken cancellationToken) =>
        await db.Organisations.AsNoTracking().OrderBy(o => o.Name)
            .Select(o => new OrganisationSummary(o.Id, o.Name, o.RequireMfa, db.OrganisationMembers.Count(m => m.OrganisationId == o.Id)))
            .ToListAsync(cancellationToken);

    public async Task<OrganisationSummary?> FindAsync(string id, CancellationToken cancellationToken) =>
        await db.Organisations.AsNoTracking().Where(o => o.Id == id)
            .Select(o => new OrganisationSummary(o.Id, o.Name, o.RequireMfa, db.OrganisationMembers.Count(m => m.OrganisationId == o.Id)))
            .SingleOrDefaultAsync(cancellationToken);

    /// <returns>The new organisation, or null when the name is taken or unusable.</returns>
    public async Task<OrganisationSummary?> CreateAsync(string name, bool requireMfa, string actor, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (!IsUsableName(name) || await db.Organisations.AnyAsync(o => o.Name == name, cancellationToken))
        {
            return null;
        }

        var organisation = new Organisation { Id = Guid.NewGuid().ToString("N"), Name = name, RequireMfa = requireMfa, CreatedAt = time.GetUtcNow() };
        // The unique name index: another request may create it first.
        if (!await db.TryInsertAsync(organisation, cancellationToken))
        {
            return null;
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.OrganisationCreated, actor, TargetType: "organisation", TargetId: organisation.Id,
            Details: $"name '{name}', require MFA: {requireMfa}"), cancellationToken);
        return new OrganisationSummary(organisation.Id, name, requireMfa, 0);
    }

    /// <summary>A name, once trimmed, of 1 to <see cref="MaxNameLength"/> characters.</summary>
    public static bool IsUsableName(string name) => name.Trim().Length is > 0 and <= MaxNameLength;

    /// <returns>False for an unknown organisation.</returns>
    public async Task<bool> SetRequireMfaAsync(string id, bool requireMfa, string actor, CancellationToken cancellationToken)
    {
        var changed = await db.Organisations.Where(o => o.Id == id)
            .ExecuteUpdateAsync(set => set.SetProperty(o => o.RequireMfa, requireMfa), cancellationToken);
        if (changed == 1)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.OrganisationMfaChanged, actor, TargetType: "organisation", TargetId: id,
                Details: "require MFA: " + requireMfa), cancellationToken);
        }

        return changed == 1;
    }

    /// <summary>Deleting an organisation ends its memberships (cascade) and keeps its members' factors.</summary>
    public async Task<bool> DeleteAsync(string id, string actor, CancellationToken cancellationToken)
    {
        var deleted = await db.Organisations.Where(o => o.Id == id).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 1)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.OrganisationDeleted, actor, TargetType: "organisation", TargetId: id), cancellationToken);
        }

        return deleted == 1;
    }

    /// <summary>Puts the user in the organisation, or in none with null; a user belongs to at most one.</summary>
    /// <returns>False for an unknown user or organisation.</returns>
    public async Task<bool> SetMembershipAsync(string userId, string? organisationId, string actor, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken)
            || (organisationId is not null && !await db.Organisations.AnyAsync(o => o.Id == organisationId, cancellationToken)))
        {
            return false;
        }

        await db.OrganisationMembers.Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        if (organisationId is not null)
        {
            db.OrganisationMembers.Add(new OrganisationMember { UserId = userId, OrganisationId = organisationId });
            await db.SaveChangesAsync(cancellationToken);
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.OrganisationMembershipChanged, actor, TargetType: "user", TargetId: userId,
            Details: "organisation: " + (organisationId ?? "none")), cancellationToken);
        return true;
    }
}
