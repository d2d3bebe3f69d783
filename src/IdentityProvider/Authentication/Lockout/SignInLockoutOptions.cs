namespace IdentityProvider.Authentication.Lockout;

/// <summary>
/// Sign-in lockout. Bound from <c>Lockout</c>. Once an administrator saves security settings, their
/// limits and duration take the place of the first three (<c>SecuritySettingsReader</c>); the
/// consecutive-failure limit is configuration only.
/// </summary>
public sealed class SignInLockoutOptions
{
    public const string SectionName = "Lockout";

    /// <summary>Wrong passwords in a row that lock the account. Default 5.</summary>
    public int MaxFailedPasswords { get; set; } = 5;

    /// <summary>Wrong second-factor codes in a row that lock the account. Default 5.</summary>
    public int MaxFailedCodes { get; set; } = 5;

    /// <summary>How long a lock lasts. Default 15 minutes.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Failures of any factor without a complete sign-in in between, after which the account stays
    /// locked until an administrator unlocks it. NIST SP 800-63B §5.2.2 allows at most 100. Default 100.
    /// </summary>
    public int MaxConsecutiveFailures { get; set; } = 100;
}
