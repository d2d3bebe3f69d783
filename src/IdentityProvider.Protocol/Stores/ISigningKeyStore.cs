using IdentityProvider.Protocol.Keys;

namespace IdentityProvider.Protocol.Stores;

/// <summary>Where signing keys are kept, shared by every node. Safe to use from a singleton.</summary>
public interface ISigningKeyStore
{
    Task<IReadOnlyList<SigningKey>> ListAsync(CancellationToken cancellationToken);

    Task AddAsync(SigningKey key, CancellationToken cancellationToken);

    /// <returns>False when no such key exists or it was already revoked.</returns>
    Task<bool> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken);
}
