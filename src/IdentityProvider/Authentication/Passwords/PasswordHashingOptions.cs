namespace IdentityProvider.Authentication.Passwords;

/// <summary>Password hashing. Bound from <c>Passwords</c>.</summary>
public sealed class PasswordHashingOptions
{
    public const string SectionName = "Passwords";

    /// <summary>
    /// PBKDF2-HMAC-SHA512 iterations; OWASP's Password Storage Cheat Sheet recommends 210,000.
    /// Hashes made with fewer are upgraded at the next successful sign-in. Default 210,000.
    /// </summary>
    public int Iterations { get; set; } = 210_000;

    /// <summary>
    /// Password checks that may hash at the same time on this node. A hash keeps one core busy for
    /// its whole duration, so more than the core count only makes every check slower. Default: the
    /// number of processors.
    /// </summary>
    public int MaxConcurrentHashes { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Checks that may wait for a hashing slot; any beyond that are refused at once (HTTP 429)
    /// instead of queueing, so a flood cannot build a backlog that honest sign-ins wait behind.
    /// Default: <see cref="MaxConcurrentHashes"/>, i.e. at most one hash's time of waiting.
    /// </summary>
    public int? HashQueueLimit { get; set; }
}
