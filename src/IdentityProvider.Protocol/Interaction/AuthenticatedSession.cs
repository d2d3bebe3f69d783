namespace IdentityProvider.Protocol.Interaction;

/// <summary>
/// What the user proved on the sign-in pages, handed to the protocol by the page that finished
/// the sign-in. The tokens say exactly this and nothing more.
/// </summary>
/// <param name="Amr">RFC 8176 authentication method references, e.g. <c>pwd</c>, <c>otp</c>, <c>mfa</c>.</param>
/// <param name="Acr">The authentication context class met, if the policy names one.</param>
public sealed record AuthenticationResult(string Subject, DateTimeOffset AuthTime, IReadOnlyList<string> Amr, string? Acr)
{
    /// <summary>The upstream provider the user signed in through (federated sign-in), else null.</summary>
    public string? IdentityProvider { get; init; }

    /// <summary>
    /// The upstream's raw ID token, kept with the session (server-side only) for the upstream's
    /// end-session <c>id_token_hint</c> (OIDC RP-Initiated Logout §2).
    /// </summary>
    public string? UpstreamIdToken { get; init; }
}

/// <summary>A server-side sign-in session, as the current request's cookie identifies it.</summary>
public sealed record AuthenticatedSession(string SessionId, string Subject, DateTimeOffset AuthTime, IReadOnlyList<string> Amr, string? Acr)
{
    /// <summary>The upstream provider the session was signed in through, else null.</summary>
    public string? IdentityProvider { get; init; }
}
