using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Protocol.Tests.Fakes;

public sealed class InMemorySigningKeyStore : ISigningKeyStore
{
    private readonly List<SigningKey> _keys = [];
    private readonly Lock _lock = new();

    public Task<IReadOnlyList<SigningKey>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<SigningKey>>([.. _keys]);
        }
    }

    public Task AddAsync(SigningKey key, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _keys.Add(key);
        }

        return Task.CompletedTask;
    }

    public Task<bool> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var index = _keys.FindIndex(k => k.KeyId == keyId && k.RevokedAt is null);
            if (index < 0)
            {
                return Task.FromResult(false);
            }

            _keys[index] = _keys[index] with { RevokedAt = revokedAt };
            return Task.FromResult(true);
        }
    }
}
