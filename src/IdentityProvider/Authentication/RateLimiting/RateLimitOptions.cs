namespace IdentityProvider.Authentication.RateLimiting;

/// <summary>
/// Rate limits, bound from <c>RateLimits</c>. The buckets live in each node's memory, so behind a
/// load balancer with N nodes a client gets up to N times these numbers; the cross-node guarantee
/// is the lockout counter in the database (<c>Lockout:*</c>), which this does not replace. These
/// limits exist to keep hashing, mail and token issuance for honest users affordable.
/// </summary>
public sealed class RateLimitOptions
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

    /// <summary>
    /// Account-recovery form posts (lost device, forgot password, and the forms their links lead
    /// to) from one client address: each may send an email or spend a link. Default: 5 at once,
    /// then one a minute.
    /// </summary>
    public TokenBucketSettings AccountRecoveryPerIp { get; set; } = new() { TokenLimit = 5, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Requests to the token, introspection, revocation and UserInfo endpoints from one client
    /// address, counted before the client authenticates (or its bearer token is checked). Generous, since a relying party's servers often
    /// share one address. Default: 300 at once, then 30 a second.
    /// </summary>
    public TokenBucketSettings ProtocolPerIp { get; set; } = new() { TokenLimit = 300, TokensPerPeriod = 30, ReplenishmentPeriod = TimeSpan.FromSeconds(1) };

    /// <summary>
    /// Requests to the authorization endpoint from one client address. Each valid one is stored
    /// until the user answers it or it expires, so this bounds the rows an anonymous sender can
    /// make. Generous, since many people behind one company's address may sign in at 9 o'clock.
    /// Default: 100 at once, then 5 a second.
    /// </summary>
    public TokenBucketSettings AuthorizationPerIp { get; set; } = new() { TokenLimit = 100, TokensPerPeriod = 5, ReplenishmentPeriod = TimeSpan.FromSeconds(1) };

    /// <summary>
    /// The token, introspection and revocation endpoints per authenticated client (after its
    /// secret or assertion checked out; public clients, which prove nothing, have no bucket of
    /// their own), so one client cannot take a node's capacity from the others. Default: 100 at once, then 10 a second.
    /// </summary>
    public TokenBucketSettings ProtocolPerClient { get; set; } = new() { TokenLimit = 100, TokensPerPeriod = 10, ReplenishmentPeriod = TimeSpan.FromSeconds(1) };
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
