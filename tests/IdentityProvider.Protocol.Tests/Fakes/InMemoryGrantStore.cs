using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Protocol.Tests.Fakes;

/// <summary>
/// The contract of <see cref="IGrantStore"/> in memory: a refresh token rotates once while its
/// grant is active and belongs to the client; a second use is Reused; a revoked grant's tokens
/// are invalid. Revoking an unknown id leaves it revoked, so a grant created later is born revoked.
/// </summary>
public sealed class InMemoryGrantStore : IGrantStore
{
    private readonly Dictionary<string, GrantRecord> _grants = new(StringComparer.Ordinal);
    private readonly HashSet<string> _revoked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string GrantId, DateTimeOffset ExpiresAt, bool Consumed)> _refreshTokens = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool IsRevoked(string grantId)
    {
        lock (_lock)
        {
            return _revoked.Contains(grantId);
        }
    }

    public Task CreateAsync(GrantRecord grant, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _grants.Add(grant.GrantId, grant);
        }

        return Task.CompletedTask;
    }

    public Task<GrantRecord?> FindActiveAsync(string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(IsActive(grantId, now) ? _grants[grantId] : null);
        }
    }

    public Task<bool> RevokeAsync(string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_revoked.Add(grantId));
        }
    }

    public Task<int> RevokeAllAsync(string subject, string clientId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var revoked = 0;
            foreach (var grant in _grants.Values.Where(g => g.Subject == subject && g.ClientId == clientId))
            {
                revoked += _revoked.Add(grant.GrantId) ? 1 : 0;
            }

            return Task.FromResult(revoked);
        }
    }

    public Task AddRefreshTokenAsync(string tokenHash, string grantId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _refreshTokens.Add(tokenHash, (grantId, expiresAt, false));
        }

        return Task.CompletedTask;
    }

    public Task<RefreshTokenUse> UseRefreshTokenAsync(string tokenHash, string clientId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_refreshTokens.TryGetValue(tokenHash, out var token)
                || !_grants.TryGetValue(token.GrantId, out var grant)
                || grant.ClientId != clientId)
            {
                return Task.FromResult(RefreshTokenUse.Invalid);
            }

            if (!token.Consumed && token.ExpiresAt > now && IsActive(grant.GrantId, now))
            {
                _refreshTokens[tokenHash] = token with { Consumed = true };
                return Task.FromResult(new RefreshTokenUse(RefreshTokenUseStatus.Rotated, grant, grant.GrantId));
            }

            return Task.FromResult(token.Consumed && !_revoked.Contains(grant.GrantId)
                ? new RefreshTokenUse(RefreshTokenUseStatus.Reused, null, grant.GrantId)
                : RefreshTokenUse.Invalid);
        }
    }

    public Task<ActiveRefreshToken?> FindByRefreshTokenAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(
                _refreshTokens.TryGetValue(tokenHash, out var token) && !token.Consumed && token.ExpiresAt > now && IsActive(token.GrantId, now)
                    ? new ActiveRefreshToken(_grants[token.GrantId], token.ExpiresAt)
                    : null);
        }
    }

    private bool IsActive(string grantId, DateTimeOffset now) =>
        _grants.TryGetValue(grantId, out var grant) && !_revoked.Contains(grantId) && grant.ExpiresAt > now;
}
