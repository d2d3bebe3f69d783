namespace IdentityProvider.Account;

/// <summary>Bound from <c>PasswordReset</c>.</summary>
public sealed class PasswordResetOptions
{
    public const string SectionName = "PasswordReset";

    /// <summary>How long a password-reset link can be used. Default 1 hour.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long the link sent with a new account can be used: the new user may not read their mail
    /// the same day. Default 72 hours.
    /// </summary>
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromHours(72);

    /// <summary>
    /// The least time between two self-service ("Forgot your password?") links for one account; a
    /// request sooner sends nothing and says so to nobody. Administrators are not limited. Default 1 minute.
    /// </summary>
    public TimeSpan RequestInterval { get; set; } = TimeSpan.FromMinutes(1);
}
