using System.Threading.RateLimiting;

namespace IdentityProvider.Authentication.RateLimiting;

/// <summary>
/// Token buckets by a key the rate-limiting middleware cannot see (a login name in the form body,
/// an authenticated client), in this node's memory.
/// </summary>
public sealed class KeyedTokenBuckets : IDisposable
{
    private readonly PartitionedRateLimiter<string> _buckets;

    public KeyedTokenBuckets(TokenBucketSettings settings)
    {
        var limiterOptions = settings.ToLimiterOptions();
        // Buckets that have filled up again are dropped by the limiter itself, so memory follows
        // the keys under attack, not every key ever seen.
        _buckets = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => limiterOptions));
    }

    /// <summary>Takes one token from the bucket of <paramref name="key"/>.</summary>
    /// <returns>True to go on; false with how long to wait.</returns>
    public bool TryAcquire(string key, out TimeSpan retryAfter)
    {
        using var lease = _buckets.AttemptAcquire(key);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.Zero;
        return lease.IsAcquired;
    }

    public void Dispose() => _buckets.Dispose();
}
