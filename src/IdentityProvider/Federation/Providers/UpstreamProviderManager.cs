using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Persistence.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Federation.Providers;

public enum UpstreamProviderChangeStatus
{
    Saved,
    Invalid,
    NotFound,

    /// <summary>The id belongs to a provider defined in configuration, which only configuration can change.</summary>
    ReadOnly,
}

/// <param name="Problems">What is wrong with the definition, one sentence each (for <see cref="UpstreamProviderChangeStatus.Invalid"/>).</param>
public sealed record UpstreamProviderChange(UpstreamProviderChangeStatus Status, IReadOnlyList<string> Problems)
{
    public bool Succeeded => Status == UpstreamProviderChangeStatus.Saved;

    public static readonly UpstreamProviderChange Saved = new(UpstreamProviderChangeStatus.Saved, []);
    public static readonly UpstreamProviderChange NotFound = new(UpstreamProviderChangeStatus.NotFound, ["There is no upstream provider with that id."]);
    public static readonly UpstreamProviderChange ReadOnly = new(UpstreamProviderChangeStatus.ReadOnly, ["This provider is defined in configuration and cannot be changed here."]);

    public static UpstreamProviderChange Invalid(IReadOnlyList<string> problems) => new(UpstreamProviderChangeStatus.Invalid, problems);
}

/// <summary>
/// Adds, changes and removes the upstream providers operators keep in the database; the console
/// pages and the admin API are thin layers over it. Ids are unique across configuration and
/// database. The client secret is encrypted at rest and never appears in the audit trail.
/// </summary>
public sealed class UpstreamProviderManager(
    IdentityProviderDbContext db,
    IOptions<FederationOptions> options,
    UpstreamClientSecretProtector secrets,
    IAuditLog audit,
    TimeProvider time)
{
    public async Task<UpstreamProviderChange> CreateAsync(UpstreamProvider provider, string? clientSecret, string actor, CancellationToken cancellationToken)
    {
        var problems = UpstreamProviderRules.Check(provider, clientSecret).ToList();
        if (problems.Count == 0 && (IsConfigured(provider.Id) || await db.UpstreamProviders.AnyAsync(p => p.Id == provider.Id, cancellationToken)))
        {
            problems.Add($"Id '{provider.Id}' is already used by another upstream provider.");
        }

        if (problems.Count > 0)
        {
            return UpstreamProviderChange.Invalid(problems);
        }

        var now = time.GetUtcNow();
        var row = new UpstreamProviderEntity
        {
            Id = provider.Id, DisplayName = "", Issuer = "", ClientId = "", ClientAuthentication = "", Scopes = "",
            SubjectClaim = "", EmailClaim = "", NameClaim = "", MfaRule = "", Domains = "", CreatedAt = now,
        };
        Apply(row, provider, clientSecret, now);
        db.UpstreamProviders.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node created the same id between the check and the insert.
            db.Entry(row).State = EntityState.Detached;
            return UpstreamProviderChange.Invalid([$"Id '{provider.Id}' is already used by another upstream provider."]);
        }

        await AuditAsync(AuditActions.FederationProviderCreated, actor, provider, cancellationToken);
        return UpstreamProviderChange.Saved;
    }

    /// <param name="newClientSecret">A replacement secret, or null to keep the stored one.</param>
    public async Task<UpstreamProviderChange> UpdateAsync(UpstreamProvider provider, string? newClientSecret, string actor, CancellationToken cancellationToken)
    {
        if (IsConfigured(provider.Id))
        {
            return UpstreamProviderChange.ReadOnly;
        }

        var row = await db.UpstreamProviders.SingleOrDefaultAsync(p => p.Id == provider.Id, cancellationToken);
        if (row is null)
        {
            return UpstreamProviderChange.NotFound;
        }

        // A kept secret counts as present; switching to a secret method without one is refused.
        var effectiveSecret = newClientSecret ?? (row.ProtectedClientSecret is null ? null : secrets.Unprotect(row.ProtectedClientSecret));
        var problems = UpstreamProviderRules.Check(provider, effectiveSecret);
        if (problems.Count > 0)
        {
            return UpstreamProviderChange.Invalid(problems);
        }

        Apply(row, provider, effectiveSecret, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await AuditAsync(AuditActions.FederationProviderUpdated, actor, provider, cancellationToken);
        return UpstreamProviderChange.Saved;
    }

    public async Task<UpstreamProviderChange> RemoveAsync(string providerId, string actor, CancellationToken cancellationToken)
    {
        if (IsConfigured(providerId))
        {
            return UpstreamProviderChange.ReadOnly;
        }

        var removed = await db.UpstreamProviders.Where(p => p.Id == providerId).ExecuteDeleteAsync(cancellationToken);
        if (removed == 0)
        {
            return UpstreamProviderChange.NotFound;
        }

        // Sign-ins still waiting for this provider's answer can no longer complete.
        await db.FederationStates.Where(s => s.ProviderId == providerId).ExecuteDeleteAsync(cancellationToken);

        // The users' links go with the provider: a provider added later under the same id may be another
        // upstream, whose subjects must not land in these accounts. The local accounts themselves stay,
        // with their own password and factors; a user who had only the link needs another way in.
        var unlinked = await db.UserLogins.Where(l => l.LoginProvider == providerId).ExecuteDeleteAsync(cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.FederationProviderRemoved, actor, TargetType: "upstream_provider", TargetId: providerId,
            Details: $"unlinked users: {unlinked}"), cancellationToken);
        return UpstreamProviderChange.Saved;
    }

    private bool IsConfigured(string providerId) => options.Value.Providers.Any(p => p.Id == providerId);

    private void Apply(UpstreamProviderEntity row, UpstreamProvider provider, string? clientSecret, DateTimeOffset now)
    {
        row.DisplayName = provider.DisplayName.Trim();
        row.Issuer = provider.Issuer;
        row.ClientId = provider.ClientId;
        row.ClientAuthentication = UpstreamProviderValues.Name(provider.ClientAuthentication);
        row.ProtectedClientSecret = UpstreamProviderValues.UsesSecret(provider.ClientAuthentication) && clientSecret is not null
            ? secrets.Protect(clientSecret)
            : null;
        row.Scopes = SpaceSeparated.Join(provider.Scopes.Distinct(StringComparer.Ordinal));
        row.SubjectClaim = provider.Claims.Subject;
        row.EmailClaim = provider.Claims.Email;
        row.NameClaim = provider.Claims.Name;
        row.GroupsClaim = string.IsNullOrWhiteSpace(provider.Claims.Groups) ? null : provider.Claims.Groups;
        row.MfaRule = UpstreamProviderValues.Name(provider.MfaRule);
        row.ProvisionUsers = provider.ProvisionUsers;
        row.LinkByEmail = provider.LinkByEmail;
        row.Domains = SpaceSeparated.Join(provider.Domains.Select(d => d.ToLowerInvariant()).Distinct(StringComparer.Ordinal));
        row.Enabled = provider.Enabled;
        row.UpdatedAt = now;
    }

    // The details say what the provider now is, never its secret.
    private Task AuditAsync(string action, string actor, UpstreamProvider provider, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditRecord(action, actor, TargetType: "upstream_provider", TargetId: provider.Id,
            Details: $"issuer: {provider.Issuer}, client: {provider.ClientId}, authentication: {UpstreamProviderValues.Name(provider.ClientAuthentication)}, "
                + $"mfa rule: {UpstreamProviderValues.Name(provider.MfaRule)}, enabled: {provider.Enabled}"), cancellationToken);
}
