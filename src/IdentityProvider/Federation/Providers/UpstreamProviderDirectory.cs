using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Persistence.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Federation.Providers;

/// <summary>
/// Configuration providers first (in their order, read-only), then those operators added in the
/// database (by display name). The database is read on every call, so a change made on one node
/// is seen by all at once.
/// </summary>
internal sealed class UpstreamProviderDirectory(
    IdentityProviderDbContext db,
    IOptions<FederationOptions> options,
    UpstreamClientSecretProtector secrets) : IUpstreamProviderDirectory
{
    public async Task<IReadOnlyList<UpstreamProvider>> ListAsync(CancellationToken cancellationToken)
    {
        var configured = Configured().ToList();
        var stored = await db.UpstreamProviders.AsNoTracking().OrderBy(p => p.DisplayName).ThenBy(p => p.Id).ToListAsync(cancellationToken);
        return [.. configured, .. stored.Where(p => configured.All(c => c.Id != p.Id)).Select(ToProvider)];
    }

    public async Task<UpstreamProvider?> FindAsync(string providerId, CancellationToken cancellationToken)
    {
        if (Configured().FirstOrDefault(p => p.Id == providerId) is { } configured)
        {
            return configured;
        }

        var stored = await db.UpstreamProviders.AsNoTracking().SingleOrDefaultAsync(p => p.Id == providerId, cancellationToken);
        return stored is null ? null : ToProvider(stored);
    }

    public async Task<string?> GetClientSecretAsync(string providerId, CancellationToken cancellationToken)
    {
        if (options.Value.Providers.FirstOrDefault(p => p.Id == providerId) is { } configured)
        {
            return configured.ClientSecret;
        }

        var protectedSecret = await db.UpstreamProviders.Where(p => p.Id == providerId).Select(p => p.ProtectedClientSecret).SingleOrDefaultAsync(cancellationToken);
        return protectedSecret is null ? null : secrets.Unprotect(protectedSecret);
    }

    /// <summary>Whether the id belongs to a configuration provider (which operators cannot change).</summary>
    public bool IsConfigured(string providerId) => options.Value.Providers.Any(p => p.Id == providerId);

    private IEnumerable<UpstreamProvider> Configured() =>
        options.Value.Providers.Select(entry => ConfiguredProviderReader.Read(entry, []));

    internal static UpstreamProvider ToProvider(UpstreamProviderEntity row)
    {
        UpstreamProviderValues.TryParseClientAuthentication(row.ClientAuthentication, out var authentication);
        UpstreamProviderValues.TryParseMfaRule(row.MfaRule, out var rule);
        return new UpstreamProvider(
            row.Id,
            row.DisplayName,
            row.Issuer,
            row.ClientId,
            authentication,
            SpaceSeparated.Split(row.Scopes),
            new UpstreamClaimMapping(row.SubjectClaim, row.EmailClaim, row.NameClaim, row.GroupsClaim),
            rule,
            row.ProvisionUsers,
            row.LinkByEmail,
            SpaceSeparated.Split(row.Domains),
            row.Enabled);
    }
}
