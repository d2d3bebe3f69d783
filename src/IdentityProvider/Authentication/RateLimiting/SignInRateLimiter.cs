using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.RateLimiting;

/// <summary>
/// The per-account limit on password posts, in this node's memory. The login name is in the form
/// body, which the rate-limiting middleware cannot read without buffering every request, so the
/// login page asks here first, before anything is looked up or hashed. The per-address limit is the
/// middleware's (<see cref="SignInRateLimitingSetup.PolicyName"/>).
/// </summary>
public sealed class SignInRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAccount;
    private readonly ILookupNormalizer _normalizer;

    public SignInRateLimiter(IOptions<SignInRateLimitOptions> options, ILookupNormalizer normalizer)
    {
        _normalizer = normalizer;
        var settings = options.Value.SignInPerAccount.ToLimiterOptions();
        // Buckets that have filled up again are dropped by the limiter itself, so memory follows
        // the accounts under attack, not every name ever typed.
        _perAccount = PartitionedRateLimiter.Create<string, string>(account => RateLimitPartition.GetTokenBucketLimiter(account, _ => settings));
    }

    /// <summary>
    /// Takes one attempt from the bucket of <paramref name="login"/> (normalised, so <c>Alice</c> and
    /// <c>alice</c> share it; a username and an email of one account are separate buckets).
    /// </summary>
    /// <returns>True to go on; false with how long to wait.</returns>
    public bool TryAcquireForAccount(string login, out TimeSpan retryAfter)
    {
        using var lease = _perAccount.AttemptAcquire(_normalizer.NormalizeName(login.Trim()) ?? "");
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.Zero;
        return lease.IsAcquired;
    }

    public void Dispose() => _perAccount.Dispose();
}
