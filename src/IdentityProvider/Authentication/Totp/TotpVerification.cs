namespace IdentityProvider.Authentication.Totp;

/// <summary>The outcome of checking a TOTP code.</summary>
public enum TotpVerification
{
    /// <summary>The code matched a time step in the window that had not been used; that step is now used.</summary>
    Valid,

    /// <summary>The code matches no time step in the window (or is not six digits).</summary>
    Invalid,

    /// <summary>
    /// The code matched, but for a time step already used or older than one already used
    /// (NIST SP 800-63B §5.1.4.2): a replay, or the loser of two parallel submissions.
    /// </summary>
    Replayed,

    /// <summary>The user has no active TOTP secret.</summary>
    NotEnrolled,
}
