namespace IdentityProvider.Protocol.Primitives;

/// <summary>
/// Upper bounds on request input, checked before anything else looks at a value. Generous for
/// honest clients; small enough that no request can make the server hash, store or log megabytes.
/// </summary>
public sealed class ProtocolLimitsOptions
{
    public int MaxParameterCount { get; set; } = 100;

    /// <summary>For any parameter without a limit of its own.</summary>
    public int DefaultMaxLength { get; set; } = 2000;

    public Dictionary<string, int> MaxLengths { get; set; } = new(StringComparer.Ordinal)
    {
        [OAuthParameterNames.ClientId] = 100,
        [OAuthParameterNames.RedirectUri] = 2000,
        [OAuthParameterNames.PostLogoutRedirectUri] = 2000,
        [OAuthParameterNames.Scope] = 1000,
        [OAuthParameterNames.State] = 2000,
        [OAuthParameterNames.Nonce] = 500,
        // RFC 7636 §4.1: a verifier is 43-128 characters; an S256 challenge is 43.
        [OAuthParameterNames.CodeChallenge] = 128,
        [OAuthParameterNames.CodeVerifier] = 128,
        [OAuthParameterNames.LoginHint] = 500,
        [OAuthParameterNames.AcrValues] = 300,
        [OAuthParameterNames.ClientSecret] = 200,
        [OAuthParameterNames.ClientAssertion] = 8000,
        [OAuthParameterNames.IdTokenHint] = 8000,
        [OAuthParameterNames.Code] = 200,
        [OAuthParameterNames.RefreshToken] = 200,
        [OAuthParameterNames.Token] = 8000,
        [OAuthParameterNames.AccessToken] = 8000,
    };

    public int MaxLengthOf(string name) => MaxLengths.TryGetValue(name, out var max) ? max : DefaultMaxLength;
}
