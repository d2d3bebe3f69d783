namespace IdentityProvider.Protocol.Endpoints;

/// <summary>The server's public identity and endpoint addresses. Bound from configuration by the host.</summary>
public sealed class OpenIdServerOptions
{
    /// <summary>
    /// The issuer identifier (OIDC Discovery §3): an https URL (http only for local development)
    /// with no query or fragment. Every endpoint URL is built from it; request headers never are.
    /// </summary>
    public string Issuer { get; set; } = "http://localhost:5000";

    public string AuthorizationEndpointPath { get; set; } = "/connect/authorize";

    public string TokenEndpointPath { get; set; } = "/connect/token";

    public string UserInfoEndpointPath { get; set; } = "/connect/userinfo";

    public string IntrospectionEndpointPath { get; set; } = "/connect/introspect";

    public string RevocationEndpointPath { get; set; } = "/connect/revoke";

    public string EndSessionEndpointPath { get; set; } = "/connect/endsession";

    public string JwksPath { get; set; } = "/.well-known/jwks";

    public List<string> ScopesSupported { get; set; } = ["openid", "profile", "email", "offline_access"];

    public List<string> AcrValuesSupported { get; set; } = [];

    public List<string> ClaimsSupported { get; set; } =
        ["sub", "name", "given_name", "family_name", "email", "email_verified", "auth_time", "acr", "amr", "sid"];

    /// <summary>
    /// Scopes an operator defines beyond the standard ones, each releasing the named claims of the
    /// user (from the user's claims, and <c>roles</c> from the user's roles), e.g.
    /// <c>"ScopeClaims": { "roles": ["roles"], "department": ["department"] }</c>. Discovery lists them.
    /// </summary>
    public Dictionary<string, List<string>> ScopeClaims { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Lifetime of RFC 9068 access tokens. Must not exceed SigningKeys:MaxTokenLifetime. Default 1 hour.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The <c>aud</c> of access tokens (RFC 9068 §3). Default: <c>{issuer}/resources</c>, which every
    /// resource server protected by this provider accepts.
    /// </summary>
    public string? AccessTokenAudience { get; set; }

    public string ResolvedAccessTokenAudience => AccessTokenAudience ?? UrlOf("resources");

    /// <summary>ID token lifetime (OIDC Core §2 <c>exp</c>). Default 5 minutes: a relying party validates it once, at sign-in.</summary>
    public TimeSpan IdTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>RFC 6749 §4.1.2 recommends at most 10 minutes; 60 seconds is plenty for a back-channel exchange.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A refresh token unused this long expires; each rotation starts the period again. Default 14 days.</summary>
    public TimeSpan RefreshTokenSlidingLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>No refresh token outlives its grant by rotation beyond this. Default 30 days, then the user signs in again.</summary>
    public TimeSpan RefreshTokenAbsoluteLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Allowed difference between our clock and a client's, for assertions they sign.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The issuer with a path, if any, and an endpoint path joined without a double slash.</summary>
    public string UrlOf(string path) => Issuer.TrimEnd('/') + "/" + path.TrimStart('/');

    public string TokenEndpoint => UrlOf(TokenEndpointPath);
}
