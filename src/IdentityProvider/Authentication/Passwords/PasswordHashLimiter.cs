using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.Passwords;

/// <summary>
/// Bounds the password hashing this node does at once (<see cref="PasswordHashingOptions.MaxConcurrentHashes"/>)
/// with a short queue behind it. When the queue is full the check is refused rather than queued:
/// a wrong-password flood then gets 429s, and the CPU it would have used stays available.
/// </summary>
public sealed class PasswordHashLimiter : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;

    public PasswordHashLimiter(IOptions<PasswordHashingOptions> options)
    {
        var permits = Math.Max(1, options.Value.MaxConcurrentHashes);
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = permits,
            QueueLimit = Math.Max(0, options.Value.HashQueueLimit ?? permits),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>A slot to hash in; check <see cref="RateLimitLease.IsAcquired"/> and dispose the lease when done.</summary>
    public ValueTask<RateLimitLease> AcquireAsync(CancellationToken cancellationToken) => _limiter.AcquireAsync(1, cancellationToken);

    public void Dispose() => _limiter.Dispose();
}
