namespace IdentityProvider.Protocol.Primitives;

/// <summary>The single catalogue of protocol error messages. Descriptions are short and safe to show to a client.</summary>
public static class ProtocolErrors
{
    public static ProtocolError InvalidRequest(string description) => new(ErrorCodes.InvalidRequest, description);

    public static ProtocolError MissingParameter(string name) => new(ErrorCodes.InvalidRequest, $"The '{name}' parameter is missing.");

    // RFC 6749 §3.1, §3.2: parameters MUST NOT be included more than once.
    public static ProtocolError DuplicateParameter(string name) => new(ErrorCodes.InvalidRequest, $"The '{name}' parameter was sent more than once.");

    public static ProtocolError ParameterTooLong(string name) => new(ErrorCodes.InvalidRequest, $"The '{name}' parameter is too long.");

    public static ProtocolError TooManyParameters() => new(ErrorCodes.InvalidRequest, "The request has too many parameters.");

    public static ProtocolError UnsupportedResponseType() => new(ErrorCodes.UnsupportedResponseType, "Only response_type=code is supported.");

    public static ProtocolError UnsupportedGrantType() => new(ErrorCodes.UnsupportedGrantType, "The grant type is not supported.");

    /// <summary>
    /// RFC 6749 §5.2: 401 when the client tried to authenticate through the Authorization header,
    /// in which case the response must carry WWW-Authenticate.
    /// </summary>
    public static ProtocolError InvalidClient(bool viaAuthorizationHeader = false) =>
        new(ErrorCodes.InvalidClient, "Client authentication failed.", viaAuthorizationHeader ? 401 : 400);

    /// <summary>
    /// A client over its request rate. RFC 6749 §5.2 defines no code for this; RFC 6585 §4 gives
    /// 429 with Retry-After, and <c>temporarily_unavailable</c> (RFC 6749 §4.1.2.1) is the
    /// registered code that tells a client to try again later rather than fix its request.
    /// </summary>
    public static ProtocolError TooManyRequests(TimeSpan retryAfter) =>
        new(ErrorCodes.TemporarilyUnavailable, "Too many requests. Retry after the time in the Retry-After header.", 429, retryAfter);

    public static ProtocolError InvalidGrant(string description) => new(ErrorCodes.InvalidGrant, description);

    public static ProtocolError UnauthorizedClient(string description) => new(ErrorCodes.UnauthorizedClient, description);

    public static ProtocolError InvalidScope(string description) => new(ErrorCodes.InvalidScope, description);

    public static ProtocolError AccessDenied(string description) => new(ErrorCodes.AccessDenied, description, 403);

    // OIDC Core §6: request objects are not supported; say so rather than ignore a signed request.
    public static ProtocolError RequestNotSupported() => new(ErrorCodes.RequestNotSupported, "Request objects are not supported.");

    public static ProtocolError RequestUriNotSupported() => new(ErrorCodes.RequestUriNotSupported, "request_uri is not supported.");

    public static ProtocolError UnmetAuthenticationRequirements() =>
        new(ErrorCodes.UnmetAuthenticationRequirements, "The sign-in did not meet the authentication requirements of the request.");

    public static ProtocolError LoginRequired() => new(ErrorCodes.LoginRequired, "The user must sign in.");

    public static ProtocolError InteractionRequired() => new(ErrorCodes.InteractionRequired, "The user must interact with the sign-in pages.");

    public static ProtocolError ConsentRequired() => new(ErrorCodes.ConsentRequired, "The user must consent.");

    // RFC 6750 §3.1
    public static ProtocolError InvalidToken() => new(ErrorCodes.InvalidToken, "The access token is invalid.", 401);

    // RFC 6750 §3.1: the token is valid but lacks the scope the resource needs.
    public static ProtocolError InsufficientScope(string scope) => new(ErrorCodes.InsufficientScope, $"The access token lacks the '{scope}' scope.", 403);

    // RFC 6750 §2: a client MUST NOT use more than one method to send the token.
    public static ProtocolError MultipleAccessTokens() => new(ErrorCodes.InvalidRequest, "The access token was sent by more than one method.");

    /// <summary>
    /// RFC 7662 §2.1 requires the caller of introspection to be authorized; a public client only
    /// names itself and proves nothing, so it is refused as unauthenticated (§2.3: 401).
    /// </summary>
    public static ProtocolError ClientAuthenticationRequired() =>
        new(ErrorCodes.InvalidClient, "This endpoint requires an authenticated confidential client.", 401);

    // RFC 7009 §2.2.1
    public static ProtocolError UnsupportedTokenType() => new(ErrorCodes.UnsupportedTokenType, "The token type is not supported.");

    public static ProtocolError ServerError() => new(ErrorCodes.ServerError, "The server could not complete the request.", 500);

    public static ProtocolError TemporarilyUnavailable() => new(ErrorCodes.TemporarilyUnavailable, "The server is temporarily unavailable.", 503);
}
