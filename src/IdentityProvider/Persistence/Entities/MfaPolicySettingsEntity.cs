namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// The MFA settings an administrator saved (one row, id 1). Until the first save the
/// configuration's <c>Mfa</c> section applies; afterwards this row does, on every node alike.
/// </summary>
public sealed class MfaPolicySettingsEntity
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public bool MfaEnabled { get; set; }

    /// <summary><c>none</c>, <c>all</c> or <c>roles</c>: who must use MFA by role (Odoo's "enforce for").</summary>
    public required string EnforceFor { get; set; }

    /// <summary>Role names, space-separated (role names here contain no spaces).</summary>
    public string EnforcedRoles { get; set; } = "";

    public int GraceSignIns { get; set; }

    public int GraceDays { get; set; }

    public int RememberBrowserDays { get; set; }

    public bool EmailFallback { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }
}
