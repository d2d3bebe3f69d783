using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Protocol.Tests.Fakes;

/// <summary>Remembered consent in memory: granting adds scopes, never narrows.</summary>
public sealed class InMemoryConsentStore : IConsentStore
{
    private readonly Dictionary<(string Subject, string ClientId), HashSet<string>> _granted = [];

    public Task<IReadOnlySet<string>> GetGrantedScopesAsync(string subject, string clientId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(_granted.TryGetValue((subject, clientId), out var scopes)
            ? new HashSet<string>(scopes, StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal));

    public Task GrantAsync(string subject, string clientId, IReadOnlyCollection<string> scopes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_granted.TryGetValue((subject, clientId), out var existing))
        {
            _granted[(subject, clientId)] = existing = new HashSet<string>(StringComparer.Ordinal);
        }

        existing.UnionWith(scopes);
        return Task.CompletedTask;
    }

    public Task<bool> RevokeAsync(string subject, string clientId, CancellationToken cancellationToken) =>
        Task.FromResult(_granted.Remove((subject, clientId)));
}
