using IdentityProvider.Federation.Upstream;
using IdentityProvider.Persistence;
using IdentityProvider.Protocol.Endpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Federation.Providers;

/// <summary>What an operator sees of one upstream provider; never its secret, only whether one is set.</summary>
/// <param name="Configured">Defined in the <c>Federation:Providers</c> section: shown, never changed at run time.</param>
/// <param name="CallbackUrl">The absolute redirect URI to register at the upstream.</param>
/// <param name="LinkedUsers">Local users with an external login at this provider.</param>
public sealed record UpstreamProviderSummary(UpstreamProvider Provider, bool Configured, bool HasClientSecret, string CallbackUrl, int LinkedUsers);

/// <summary>
/// The upstream providers as the console and the admin API show them: the directory's list plus
/// where each is defined, its callback URL and how many users are linked to it.
/// </summary>
public sealed class UpstreamProviderOverview(
    IUpstreamProviderDirectory directory,
    IdentityProviderDbContext db,
    IOptions<FederationOptions> federation,
    IOptions<OpenIdServerOptions> server)
{
    public async Task<IReadOnlyList<UpstreamProviderSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var providers = await directory.ListAsync(cancellationToken);
        var linked = await db.UserLogins.GroupBy(l => l.LoginProvider)
            .Select(g => new { Provider = g.Key, Users = g.Select(l => l.UserId).Distinct().Count() })
            .ToDictionaryAsync(g => g.Provider, g => g.Users, cancellationToken);
        var storedSecrets = await db.UpstreamProviders.Where(p => p.ProtectedClientSecret != null).Select(p => p.Id).ToListAsync(cancellationToken);
        return [.. providers.Select(p => Summarise(p, linked.GetValueOrDefault(p.Id), storedSecrets.Contains(p.Id)))];
    }

    /// <returns>Null when no provider has that id.</returns>
    public async Task<UpstreamProviderSummary?> FindAsync(string providerId, CancellationToken cancellationToken)
    {
        if (await directory.FindAsync(providerId, cancellationToken) is not { } provider)
        {
            return null;
        }

        var linked = await db.UserLogins.Where(l => l.LoginProvider == providerId).Select(l => l.UserId).Distinct().CountAsync(cancellationToken);
        var storedSecret = await db.UpstreamProviders.AnyAsync(p => p.Id == providerId && p.ProtectedClientSecret != null, cancellationToken);
        return Summarise(provider, linked, storedSecret);
    }

    private UpstreamProviderSummary Summarise(UpstreamProvider provider, int linkedUsers, bool storedSecret)
    {
        var configured = federation.Value.Providers.FirstOrDefault(p => p.Id == provider.Id);
        var hasSecret = configured is null ? storedSecret : !string.IsNullOrEmpty(configured.ClientSecret);
        return new UpstreamProviderSummary(provider, configured is not null, hasSecret, FederationStarter.RedirectUri(server.Value.Issuer, provider.Id), linkedUsers);
    }
}
