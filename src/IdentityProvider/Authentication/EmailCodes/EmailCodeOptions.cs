namespace IdentityProvider.Authentication.EmailCodes;

/// <summary>
/// Bound from <c>EmailCodes</c>: the emailed sign-in code that <c>Mfa:EmailFallback</c> offers to a
/// user who must use MFA but has no authenticator.
/// </summary>
public sealed class EmailCodeOptions
{
    public const string SectionName = "EmailCodes";

    /// <summary>The window that <see cref="MaxSendsPerWindow"/> counts in. Fixed, so the sweeper can use it too.</summary>
    public static readonly TimeSpan SendWindow = TimeSpan.FromHours(1);

    /// <summary>How long a code can be used after it was sent. Default 10 minutes.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The least time between two codes for one account. A request sooner sends nothing and
    /// keeps the code already sent. Default 1 minute.
    /// </summary>
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Codes one account can be sent per hour, so the button cannot flood a mailbox. Default 5.</summary>
    public int MaxSendsPerWindow { get; set; } = 5;
}
