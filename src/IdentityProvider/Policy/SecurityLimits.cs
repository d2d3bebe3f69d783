namespace IdentityProvider.Policy;

/// <summary>
/// The sign-in limits the factors enforce: how many wrong passwords or codes lock an account and
/// for how long, how many TOTP steps either side of now are accepted, how many recovery codes a set has.
/// </summary>
public sealed record SecurityLimits(int MaxFailedPasswords, int MaxFailedCodes, TimeSpan LockoutDuration, int TotpWindow, int RecoveryCodeCount)
{
    // The ranges an administrator may save. Narrower than what configuration accepts: below them an
    // attacker or a slow typist locks users out, above them guessing gets easy (NIST SP 800-63B
    // §5.2.2 allows at most 100 failures; RFC 6238 §5.2 recommends at most one step of delay).
    public const int MinFailures = 3;
    public const int MaxFailures = 100;
    public const int MinTotpWindow = 0;
    public const int MaxTotpWindow = 2;
    public const int MinRecoveryCodes = 5;
    public const int MaxRecoveryCodes = 20;
    public static readonly TimeSpan MinLockoutDuration = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxLockoutDuration = TimeSpan.FromHours(24);
}

/// <summary>A value the settings cannot take, named by the field (the admin API's JSON member) it belongs to.</summary>
public sealed record SettingProblem(string Field, string Message);
