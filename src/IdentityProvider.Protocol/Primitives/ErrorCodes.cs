namespace IdentityProvider.Protocol.Primitives;

/// <summary>Error codes from RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1 and OIDC Core §3.1.2.6.</summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string UnsupportedResponseType = "unsupported_response_type";
    public const string InvalidScope = "invalid_scope";
    public const string AccessDenied = "access_denied";
    public const string ServerError = "server_error";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
    public const string LoginRequired = "login_required";
    public const string InteractionRequired = "interaction_required";
    public const string ConsentRequired = "consent_required";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string UnsupportedTokenType = "unsupported_token_type";
    /// <summary>OpenID Connect Unmet Authentication Requirements 1.0 §2.</summary>
    public const string UnmetAuthenticationRequirements = "unmet_authentication_requirements";
    public const string RequestNotSupported = "request_not_supported";
    public const string RequestUriNotSupported = "request_uri_not_supported";
}
