namespace IdentityProvider.Policy;

/// <summary>A factor the user can use now for the second step.</summary>
public enum SecondFactorKind
{
    Totp,
    Passkey,
    RecoveryCode,
    EmailCode,
}

public enum EnrolmentDemand
{
    None,

    /// <summary>The user cannot finish signing in without setting up a factor.</summary>
    Required,

    /// <summary>Required, but the policy's grace lets the user postpone it this time.</summary>
    Deferrable,
}

/// <summary>One step of the evaluator's reasoning, for the log and the administrators' "policy check".</summary>
/// <param name="Code">Stable, for filters and tests, e.g. <c>organisation-requires-mfa</c>.</param>
public sealed record PolicyReason(string Code, string Text);

/// <summary>
/// What a sign-in in progress still needs and why. <see cref="Required"/> is what it must reach,
/// <see cref="Reached"/> what its factors reached so far; when short, <see cref="Offer"/> lists
/// the factors that can close the gap, and <see cref="Enrolment"/> says whether the user must (or
/// may later) set one up first.
/// </summary>
public sealed record MfaDecision(
    AssuranceLevel Required,
    AssuranceLevel Reached,
    IReadOnlyList<SecondFactorKind> Offer,
    EnrolmentDemand Enrolment,
    bool CanEnrol,
    IReadOnlyList<PolicyReason> Reasons,
    int? GraceSignInsLeft = null,
    DateTimeOffset? GraceEndsAt = null)
{
    public bool Satisfied => Reached >= Required;

    /// <summary>The acr the tokens state: the level reached.</summary>
    public string? Acr => AssuranceLevels.ToAcr(Reached);
}
