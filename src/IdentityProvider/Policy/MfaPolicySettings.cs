namespace IdentityProvider.Policy;

/// <summary>Who must use MFA by role (Odoo's "enforce two-factor authentication for").</summary>
public enum EnforcementScope
{
    /// <summary>No role forces it; other inputs (organisation, user flag, client) still may.</summary>
    None,

    AllUsers,

    /// <summary>Only users holding one of <see cref="MfaPolicySettings.EnforcedRoles"/>.</summary>
    Roles,
}

/// <summary>The operator's MFA settings, as the evaluator reads them.</summary>
/// <param name="MfaEnabled">The global switch (OpenCRM): off, nobody is asked for a second factor and nobody can set one up; enrolled factors are kept.</param>
/// <param name="GraceSignIns">Sign-ins on which a user who must enrol may postpone it (0: none).</param>
/// <param name="GraceDays">Days, from when enrolment was first required, during which it may be postponed (0: none).</param>
/// <param name="RememberBrowserDays">"Don't ask again on this browser" for this many days (0: not offered).</param>
/// <param name="EmailFallback">A user who must use MFA but has no authenticator may get a code by email instead of enrolling.</param>
public sealed record MfaPolicySettings(
    bool MfaEnabled,
    EnforcementScope EnforceFor,
    IReadOnlyList<string> EnforcedRoles,
    int GraceSignIns,
    int GraceDays,
    int RememberBrowserDays,
    bool EmailFallback)
{
    /// <summary>Whether <paramref name="role"/> is one of <see cref="EnforcedRoles"/> (role names compare without case, as Identity's do).</summary>
    public bool NamesRole(string role) => EnforcedRoles.Contains(role, StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Bound from <c>Mfa</c>: the settings in force until an administrator first saves them in the
/// console (after that the database row applies on every node).
/// </summary>
public sealed class MfaPolicyOptions
{
    public const string SectionName = "Mfa";

    public bool Enabled { get; set; } = true;

    public EnforcementScope EnforceFor { get; set; } = EnforcementScope.None;

    public List<string> EnforcedRoles { get; set; } = [];

    public int GraceSignIns { get; set; }

    public int GraceDays { get; set; }

    public int RememberBrowserDays { get; set; }

    public bool EmailFallback { get; set; }

    public MfaPolicySettings ToSettings() =>
        new(Enabled, EnforceFor, [.. EnforcedRoles], GraceSignIns, GraceDays, RememberBrowserDays, EmailFallback);
}
