using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Persistence.Stores;

/// <summary>Bound from <c>Caching</c>.</summary>
public sealed class CachingOptions
{
    public const string SectionName = "Caching";

    /// <summary>
    /// How long a node keeps a client in memory. A change made on one node is seen by every other
    /// node within this time; the node that made it sees it at once.
    /// </summary>
    public TimeSpan ClientLifetime { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Clients from the database, cached per node: every token request looks its client up, and the
/// registration changes rarely.
/// </summary>
public sealed class EfClientStore(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    IMemoryCache cache,
    IOptions<CachingOptions> options) : IClientStore
{
    internal const string Public = "public";
    internal const string Confidential = "confidential";

    public async Task<ClientDefinition?> FindByIdAsync(string clientId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey(clientId), out ClientDefinition? cached))
        {
            return cached;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Clients.AsNoTracking().Include(c => c.Secrets)
            .SingleOrDefaultAsync(c => c.ClientId == clientId && c.Enabled, cancellationToken);
        var client = entity is null ? null : ToDefinition(entity);
        // Unknown ids are cached too (briefly), so a flood of bogus client ids cannot reach the database each time.
        cache.Set(CacheKey(clientId), client, options.Value.ClientLifetime);
        return client;
    }

    public void Invalidate(string clientId) => cache.Remove(CacheKey(clientId));

    private static string CacheKey(string clientId) => "client:" + clientId;

    private static ClientDefinition ToDefinition(ClientEntity entity) => new()
    {
        ClientId = entity.ClientId,
        DisplayName = entity.DisplayName,
        Type = entity.ClientType == Public ? ClientType.Public : ClientType.Confidential,
        TokenEndpointAuthMethod = entity.TokenEndpointAuthMethod,
        RedirectUris = SpaceSeparated.Split(entity.RedirectUris),
        PostLogoutRedirectUris = SpaceSeparated.Split(entity.PostLogoutRedirectUris),
        AllowedGrantTypes = SpaceSeparated.Split(entity.AllowedGrantTypes).ToHashSet(StringComparer.Ordinal),
        AllowedScopes = SpaceSeparated.Split(entity.AllowedScopes).ToHashSet(StringComparer.Ordinal),
        RequirePkce = entity.RequirePkce,
        RequireConsent = entity.RequireConsent,
        RequiredAcr = entity.RequiredAcr,
        Secrets = entity.Secrets.Select(s => new ClientSecretHash(s.SecretHash, s.ExpiresAt)).ToList(),
        Jwks = entity.Jwks,
    };
}
