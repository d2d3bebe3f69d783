namespace IdentityProvider.Federation.Upstream;

/// <summary>What the user is told; each kind has its text (and German translation) on the failure page.</summary>
public enum FederationFailureKind
{
    /// <summary>No enabled provider has that id.</summary>
    UnknownProvider,

    /// <summary>The upstream could not be reached or answered nonsense.</summary>
    Unavailable,

    /// <summary>The user cancelled at the upstream (<c>access_denied</c>).</summary>
    Cancelled,

    /// <summary>The upstream answered with another error, at the authorization or the token endpoint.</summary>
    UpstreamError,

    /// <summary>The answer does not belong to a sign-in this browser started (missing, unknown, used, expired, foreign state).</summary>
    StateInvalid,

    /// <summary>The upstream's answer failed verification (iss, ID token).</summary>
    ResponseInvalid,
}

/// <summary>
/// A refused federated sign-in, as a value (never an exception at the boundary). <see cref="Reason"/>
/// is short and free of codes, tokens and state: it goes to the audit trail and the log.
/// </summary>
public sealed record FederationFailure(FederationFailureKind Kind, int StatusCode, string Reason, string? ProviderName = null)
{
    /// <summary>The authorization request the sign-in served, so "Back to sign-in" returns to it.</summary>
    public string? RequestId { get; init; }

    public static FederationFailure UnknownProvider(string reason) => new(FederationFailureKind.UnknownProvider, StatusCodes.Status404NotFound, reason);

    public static FederationFailure Unavailable(string provider, string reason) => new(FederationFailureKind.Unavailable, StatusCodes.Status502BadGateway, reason, provider);

    public static FederationFailure Cancelled(string provider, string reason) => new(FederationFailureKind.Cancelled, StatusCodes.Status400BadRequest, reason, provider);

    public static FederationFailure UpstreamError(string provider, string reason) => new(FederationFailureKind.UpstreamError, StatusCodes.Status502BadGateway, reason, provider);

    public static FederationFailure StateInvalid(string reason, string? provider = null) => new(FederationFailureKind.StateInvalid, StatusCodes.Status400BadRequest, reason, provider);

    public static FederationFailure ResponseInvalid(string provider, string reason, int status = StatusCodes.Status400BadRequest) =>
        new(FederationFailureKind.ResponseInvalid, status, reason, provider);
}

/// <summary>Where a start or callback leads: a redirect, or a failure page.</summary>
public sealed record FederationOutcome(string? RedirectTo, FederationFailure? Failure)
{
    public static FederationOutcome Redirect(string location) => new(location, null);

    public static FederationOutcome Fail(FederationFailure failure) => new(null, failure);
}
