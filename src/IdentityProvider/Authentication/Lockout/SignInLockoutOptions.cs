namespace IdentityProvider.Authentication.Lockout;

/// <summary>
/// Sign-in lockout. Bound from <c>Lockout</c>. Once an administrator saves security settings, their
/// limits and duration take the place of the first three (<c>SecuritySettingsReader</c>); the
/// longest lock and the consecutive-failure limit are configuration only.
/// </summary>
public sealed class SignInLockoutOptions
{
    public const string SectionName = "Lockout";

    /// <summary>Wrong passwords in a row that lock the account. Default 5.</summary>
    public int MaxFailedPasswords { get; set; } = 5;

    /// <summary>Wrong second-factor codes in a row that lock the account. Default 5.</summary>
    public int MaxFailedCodes { get; set; } = 5;

    /// <summary>How long the first lock lasts. Default 15 minutes.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The longest lock. Each lock without a complete sign-in since the one before lasts twice as
    /// long as that one (15 min, 30 min, 1 h, ...), up to this; a complete sign-in or an
    /// administrator's unlock starts again at <see cref="Duration"/>. A first lock longer than this
    /// is not shortened. Default 24 hours.
    /// </summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Failures of any factor without a complete sign-in in between, after which the account stays
    /// locked until an administrator unlocks it; 0 turns it off. Default 0 (off): anyone who knows a
    /// username reaches any such number at will and locks the real user out for good, while the
    /// doubling temporary locks already bound the guesses to a handful per <see cref="MaxDuration"/>.
    /// An operator bound to NIST SP 800-63B §5.2.2's literal "no more than 100" sets 100.
    /// </summary>
    public int MaxConsecutiveFailures { get; set; }
}
