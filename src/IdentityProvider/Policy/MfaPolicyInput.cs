namespace IdentityProvider.Policy;

/// <summary>Everything the policy weighs for one sign-in. Built by <see cref="MfaPolicyInputs"/>; plain data, so the evaluator is a pure function.</summary>
public sealed record MfaPolicyInput(
    MfaPolicySettings Settings,
    UserFacts User,
    SignInFacts SignIn,
    ClientFacts? Client = null,
    RequestFacts? Request = null);

/// <param name="OrganisationName">Null when the user belongs to no organisation.</param>
/// <param name="MfaRequired">The per-user flag an administrator sets.</param>
/// <param name="HasEmail">A confirmed address the email fallback can send a code to.</param>
/// <param name="EnrolmentDueSince">When enrolment was first required of this user; null if never.</param>
public sealed record UserFacts(
    string UserId,
    IReadOnlyList<string> Roles,
    string? OrganisationName,
    bool OrganisationRequiresMfa,
    bool MfaRequired,
    bool HasTotp,
    int Passkeys,
    int RecoveryCodes,
    bool HasEmail,
    int EnrolmentDeferrals,
    DateTimeOffset? EnrolmentDueSince)
{
    public bool HasAuthenticator => HasTotp || Passkeys > 0;

    /// <summary>Holds the administrator role: administrators always use a second factor, whatever the users' policy says.</summary>
    public bool IsAdministrator { get; init; }
}

/// <summary>How the user signed in so far.</summary>
/// <param name="Amr">RFC 8176 values of the factors proven so far in this sign-in (or session, for a step-up).</param>
/// <param name="RememberedBrowser">The browser carries a valid "don't ask again" mark for this user.</param>
public sealed record SignInFacts(
    IReadOnlyList<string> Amr,
    DateTimeOffset Now,
    bool RememberedBrowser = false,
    FederatedSignIn? Federation = null);

/// <summary>What an upstream provider says about the sign-in.</summary>
/// <param name="Provider">The provider's display name (the reasons name it).</param>
/// <param name="UpstreamShowedMfa">The upstream ID token's amr/acr shows more than one factor.</param>
public sealed record FederatedSignIn(string Provider, FederatedMfaRule Rule, bool UpstreamShowedMfa)
{
    /// <summary>The provider's id (its key in the user's external logins and the session's <c>idp</c>).</summary>
    public string? ProviderId { get; init; }

    /// <summary>
    /// The upstream account is being linked to an existing local account: the local account's own
    /// second factor is asked whatever the provider's rule, and a remembered browser does not
    /// stand in for it (the link is what is being proven).
    /// </summary>
    public bool Linking { get; init; }

    /// <summary>
    /// The server-side record of this upstream sign-in (its ID token, the link it may wait for),
    /// taken once when the sign-in completes; null for a step-up from a federated session.
    /// </summary>
    public string? TicketId { get; init; }
}

/// <summary>What a federated sign-in counts for here (per upstream provider).</summary>
public enum FederatedMfaRule
{
    /// <summary>The upstream sign-in satisfies the users' MFA policy (seed 002: SSO users need no second factor).</summary>
    Bypass,

    /// <summary>The user must also pass a local second factor.</summary>
    RequireLocal,

    /// <summary>Satisfied only if the upstream says it used more than one factor; otherwise asked locally.</summary>
    TrustUpstreamAmr,
}

/// <param name="RequiredAcr">The client's own demand (<c>mfa</c>, <c>phr</c>) for every sign-in, or null.</param>
public sealed record ClientFacts(string ClientId, string DisplayName, string? RequiredAcr);

/// <param name="AcrValues">OIDC Core §3.1.2.1 acr_values, most preferred first.</param>
/// <param name="ForcesReauthentication">prompt=login or max_age: a remembered browser never stands in for the factors.</param>
public sealed record RequestFacts(IReadOnlyList<string> AcrValues, bool ForcesReauthentication);
