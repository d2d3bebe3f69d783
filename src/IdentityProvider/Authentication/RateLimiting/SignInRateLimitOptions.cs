namespace IdentityProvider.Authentication.RateLimiting;

/// <summary>
/// Rate limits on sign-in attempts. Bound from <c>RateLimits</c>. The buckets live in each node's
/// memory, so behind a load balancer with N nodes a client gets up to N times these numbers; the
/// cross-node guarantee is the lockout counter in the database (<c>Lockout:*</c>), which this
/// does not replace. These limits exist to keep password hashing for honest users affordable.
/// </summary>
public sealed class SignInRateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>
    /// Every sign-in form post (password, code, re-confirmation) from one client address. IPv6
    /// addresses count per /64, the block one subscriber usually holds. Default: 10 at once, then
    /// one every 6 seconds.
    /// </summary>
    public TokenBucketSettings SignInPerIp { get; set; } = new() { TokenLimit = 10, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(6) };

    /// <summary>
    /// Password posts naming one login (username or email, normalised), from any address: bounds
    /// the hashing a botnet can make the server do for one account. Default: 10 at once, then one
    /// every 30 seconds.
    /// </summary>
    public TokenBucketSettings SignInPerAccount { get; set; } = new() { TokenLimit = 10, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(30) };
}

/// <summary>A token bucket: <see cref="TokenLimit"/> attempts at once, refilled by <see cref="TokensPerPeriod"/> every <see cref="ReplenishmentPeriod"/>.</summary>
public sealed class TokenBucketSettings
{
    public int TokenLimit { get; set; } = 10;

    public int TokensPerPeriod { get; set; } = 1;

    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(6);

    public System.Threading.RateLimiting.TokenBucketRateLimiterOptions ToLimiterOptions() => new()
    {
        TokenLimit = TokenLimit,
        TokensPerPeriod = TokensPerPeriod,
        ReplenishmentPeriod = ReplenishmentPeriod,
        // Refuse at once rather than hold the request: a queue is what a flood must not get.
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
