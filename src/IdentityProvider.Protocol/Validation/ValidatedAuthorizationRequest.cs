using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Protocol.Validation;

/// <summary>An authorization request that passed every check (RFC 6749 §4.1.1, OIDC Core §3.1.2.1).</summary>
public sealed record ValidatedAuthorizationRequest(
    ClientDefinition Client,
    AuthorizationResponseTarget Target,
    IReadOnlyList<string> Scopes,
    string? Nonce,
    string? CodeChallenge,
    IReadOnlySet<string> Prompt,
    TimeSpan? MaxAge,
    string? LoginHint,
    IReadOnlyList<string> AcrValues,
    ProtocolRequest Raw)
{
    public bool PromptNone => Prompt.Contains(PromptValues.None);

    /// <summary>select_account is handled as login: one account per browser session.</summary>
    public bool PromptLogin => Prompt.Contains(PromptValues.Login) || Prompt.Contains(PromptValues.SelectAccount);

    public bool PromptConsent => Prompt.Contains(PromptValues.Consent);
}

/// <summary>
/// Where and how the authorization response goes: only ever a redirect URI that exactly matched
/// the client's registration.
/// </summary>
public sealed record AuthorizationResponseTarget(string RedirectUri, string ResponseMode, string? State);

/// <summary>
/// A refused authorization request. With a <see cref="Target"/> the error goes back to the client
/// (RFC 6749 §4.1.2.1); without one the client or its redirect URI could not be trusted, so the
/// user sees an error page and is never redirected.
/// </summary>
public sealed record AuthorizationRequestFailure(ProtocolError Error, AuthorizationResponseTarget? Target);
