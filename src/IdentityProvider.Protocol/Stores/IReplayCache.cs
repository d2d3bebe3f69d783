namespace IdentityProvider.Protocol.Stores;

/// <summary>
/// Remembers single-use identifiers (a client assertion's jti, RFC 7523 §3 item 7) until they
/// expire. The check and the insert are one atomic database operation, so a replay is refused
/// even when the two copies reach different nodes at the same moment.
/// </summary>
public interface IReplayCache
{
    /// <returns>True the first time <paramref name="key"/> is used; false for every later use before it expires.</returns>
    Task<bool> TryUseOnceAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
