namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// The sign-in limits an administrator saved (one row, id 1): lockout, TOTP window, recovery-code
/// count. Until the first save the configuration (<c>Lockout</c>, <c>Totp</c>, <c>RecoveryCodes</c>)
/// applies; afterwards this row does, on every node alike. A row of its own rather than columns on
/// <see cref="MfaPolicySettingsEntity"/>: saving one set of settings never freezes the other's
/// configuration values into the database.
/// </summary>
public sealed class SecuritySettingsEntity
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public int MaxFailedPasswords { get; set; }

    public int MaxFailedCodes { get; set; }

    /// <summary>Lockout duration in whole seconds (an integer compares and stores alike on both engines).</summary>
    public int LockoutDurationSeconds { get; set; }

    public int TotpWindow { get; set; }

    public int RecoveryCodeCount { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }
}
