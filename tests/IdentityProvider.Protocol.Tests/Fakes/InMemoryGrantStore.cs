using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Protocol.Tests.Fakes;

/// <summary>Grants only; the refresh token members are not needed by the tests that use it.</summary>
public sealed class InMemoryGrantStore : IGrantStore
{
    private readonly Dictionary<string, (GrantRecord Grant, bool Revoked)> _grants = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task CreateAsync(GrantRecord grant, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _grants[grant.GrantId] = (grant, false);
        }

        return Task.CompletedTask;
    }

    public Task<GrantRecord?> FindActiveAsync(string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_grants.TryGetValue(grantId, out var entry) && !entry.Revoked && entry.Grant.ExpiresAt > now ? entry.Grant : null);
        }
    }

    public Task<bool> RevokeAsync(string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_grants.TryGetValue(grantId, out var entry) || entry.Revoked)
            {
                return Task.FromResult(false);
            }

            _grants[grantId] = (entry.Grant, true);
            return Task.FromResult(true);
        }
    }

    public Task AddRefreshTokenAsync(string tokenHash, string grantId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<RefreshTokenUse> UseRefreshTokenAsync(string tokenHash, string clientId, DateTimeOffset now, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<ActiveRefreshToken?> FindByRefreshTokenAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}
