namespace IdentityProvider.Protocol.Keys;

/// <summary>
/// The rules of rotation, as pure functions of the key set and the time, so every node that reads
/// the same rows reaches the same answer.
/// </summary>
public static class SigningKeySchedule
{
    /// <summary>
    /// The key that signs now: among live keys of the algorithm that have activated, the one that
    /// activated last (ties broken by kid, so all nodes agree).
    /// </summary>
    public static SigningKey? Current(IEnumerable<SigningKey> keys, string algorithm, DateTimeOffset now) =>
        keys.Where(k => k.Algorithm == algorithm && k.RevokedAt is null && k.ActivatesAt <= now)
            .OrderByDescending(k => k.ActivatesAt)
            .ThenByDescending(k => k.KeyId, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>
    /// Published in the JWKS: not revoked, and either not yet active (pre-published), still current,
    /// or superseded so recently that tokens it signed may still be in use.
    /// </summary>
    public static bool IsPublished(SigningKey key, IReadOnlyCollection<SigningKey> keys, DateTimeOffset now, SigningKeyOptions options)
    {
        if (key.RevokedAt is not null)
        {
            return false;
        }

        if (key.ActivatesAt > now)
        {
            return true;
        }

        var supersededAt = keys
            .Where(k => k.Algorithm == key.Algorithm && k.RevokedAt is null && k.ActivatesAt <= now && IsLater(k, key))
            .Select(k => (DateTimeOffset?)k.ActivatesAt)
            .Min();
        return supersededAt is null || supersededAt.Value + options.MaxTokenLifetime + options.ClockSkew > now;
    }

    /// <summary>The current key is due for replacement and no successor has been published yet.</summary>
    public static bool NeedsSuccessor(SigningKey current, IReadOnlyCollection<SigningKey> keys, DateTimeOffset now, SigningKeyOptions options) =>
        current.RetiresAt - now <= options.PrePublication
        && !keys.Any(k => k.Algorithm == current.Algorithm && k.RevokedAt is null && IsLater(k, current));

    private static bool IsLater(SigningKey candidate, SigningKey key) =>
        candidate.ActivatesAt > key.ActivatesAt
        || (candidate.ActivatesAt == key.ActivatesAt && string.CompareOrdinal(candidate.KeyId, key.KeyId) > 0);
}
