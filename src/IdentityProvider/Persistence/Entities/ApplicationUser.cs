using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Persistence.Entities;

/// <summary>A person who can sign in. Identity's columns plus what this product shows about them.</summary>
public sealed class ApplicationUser : IdentityUser
{
    public string? DisplayName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set by an administrator: the user cannot sign in and their sessions and grants stop working.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>Wrong second-factor codes since the last correct one (Identity's AccessFailedCount counts passwords).</summary>
    public int SecondFactorFailedCount { get; set; }

    /// <summary>
    /// Failures of any factor since the last complete sign-in; at <c>Lockout:MaxConsecutiveFailures</c>
    /// (off unless an operator sets it) the account stays locked until an administrator unlocks it.
    /// </summary>
    public int ConsecutiveFailedSignIns { get; set; }

    /// <summary>
    /// Locks since the last complete sign-in (or an administrator's unlock): each doubles the next
    /// lock's duration, up to <c>Lockout:MaxDuration</c>.
    /// </summary>
    public int SuccessiveLockouts { get; set; }

    /// <summary>
    /// Set by an administrator ("Request new passkey"): the user must register a passkey at their
    /// next sign-in before it completes. Cleared when they do, or when an administrator withdraws it.
    /// </summary>
    public DateTimeOffset? PasskeyRequestedAt { get; set; }

    /// <summary>Who made the pending passkey request (an administrator's id, or a client).</summary>
    public string? PasskeyRequestedBy { get; set; }

    /// <summary>Set by an administrator (Connectware, m2v): this user must use a second factor.</summary>
    public bool MfaRequired { get; set; }

    /// <summary>Sign-ins on which the user postponed a required enrolment (the policy's grace).</summary>
    public int MfaEnrolmentDeferrals { get; set; }

    /// <summary>When enrolment was first required of the user; the policy's grace in days counts from here.</summary>
    public DateTimeOffset? MfaEnrolmentDueSince { get; set; }
}
