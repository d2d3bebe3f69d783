using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.RateLimiting;

/// <summary>
/// The per-account limit on password posts, in this node's memory. The login name is in the form
/// body, which the rate-limiting middleware cannot read without buffering every request, so the
/// login page asks here first, before anything is looked up or hashed. The per-address limit is the
/// middleware's (<see cref="RateLimitingSetup.SignInPolicy"/>).
/// </summary>
public sealed class SignInRateLimiter(IOptions<RateLimitOptions> options, ILookupNormalizer normalizer) : IDisposable
{
    private readonly KeyedTokenBuckets _perAccount = new(options.Value.SignInPerAccount);

    /// <summary>
    /// Takes one attempt from the bucket of <paramref name="login"/> (normalised, so <c>Alice</c> and
    /// <c>alice</c> share it; a username and an email of one account are separate buckets).
    /// </summary>
    /// <returns>True to go on; false with how long to wait.</returns>
    public bool TryAcquireForAccount(string login, out TimeSpan retryAfter) =>
        _perAccount.TryAcquire(normalizer.NormalizeName(login.Trim()) ?? "", out retryAfter);

    public void Dispose() => _perAccount.Dispose();
}
