namespace IdentityProvider.Protocol.Primitives;

public static class OAuthParameterNames
{
    public const string ClientId = "client_id";
    public const string ClientSecret = "client_secret";
    public const string ClientAssertion = "client_assertion";
    public const string ClientAssertionType = "client_assertion_type";
    public const string RedirectUri = "redirect_uri";
    public const string ResponseType = "response_type";
    public const string ResponseMode = "response_mode";
    public const string Scope = "scope";
    public const string State = "state";
    public const string Nonce = "nonce";
    public const string Prompt = "prompt";
    public const string MaxAge = "max_age";
    public const string LoginHint = "login_hint";
    public const string AcrValues = "acr_values";
    public const string CodeChallenge = "code_challenge";
    public const string CodeChallengeMethod = "code_challenge_method";
    public const string CodeVerifier = "code_verifier";
    public const string IdTokenHint = "id_token_hint";
    public const string PostLogoutRedirectUri = "post_logout_redirect_uri";
    public const string UiLocales = "ui_locales";
    public const string Display = "display";
    public const string GrantType = "grant_type";
    public const string Code = "code";
    public const string RefreshToken = "refresh_token";
    public const string Token = "token";
    public const string AccessToken = "access_token";
    public const string TokenTypeHint = "token_type_hint";
    public const string Issuer = "iss";
    public const string Request = "request";
    public const string RequestUri = "request_uri";
    public const string Error = "error";
    public const string ErrorDescription = "error_description";
}
