using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Samples.Crm.OpenIdConnect;

/// <summary>Scheme names: the cookie holds the session, the relying-party scheme signs in through the provider.</summary>
public static class RelyingPartyDefaults
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;

    public const string Scheme = "OpenIdConnect";
}

/// <summary>Bound from the <c>OpenIdConnect</c> configuration section.</summary>
public sealed class RelyingPartyOptions : AuthenticationSchemeOptions
{
    /// <summary>The provider's issuer URL; discovery is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string Authority { get; set; } = "";

    public string ClientId { get; set; } = "";

    /// <summary>Sent with client_secret_basic. Keep real secrets out of appsettings.json (user secrets, environment).</summary>
    public string ClientSecret { get; set; } = "";

    public string Scope { get; set; } = "openid profile email offline_access";

    /// <summary>The registered redirect URI's path (the host is the request's).</summary>
    public PathString CallbackPath { get; set; } = "/signin-oidc";

    /// <summary>The registered post_logout_redirect_uri's path.</summary>
    public PathString SignedOutCallbackPath { get; set; } = "/signed-out";

    /// <summary>OIDC Core §3.1.3.7 step 7: the algorithms accepted on ID tokens (the provider's default is RS256).</summary>
    public List<string> IdTokenSigningAlgorithms { get; set; } = ["RS256", "ES256"];

    /// <summary>The acr value that stands for multi-factor sign-in at the provider; sent as acr_values on step-up.</summary>
    public string MfaAcr { get; set; } = "mfa";

    /// <summary>max_age sent on step-up: the stronger sign-in must also be recent. Default 5 minutes.</summary>
    public TimeSpan StepUpMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Tokens are refreshed when the access token has less than this left. Default 1 minute.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the browser may take at the provider before the sign-in attempt is forgotten. Default 15 minutes.</summary>
    public TimeSpan CorrelationLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Clock difference tolerated with the provider on exp, iat and auth_time. Default 1 minute.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Discovery over plain http is allowed only for a provider on this machine.</summary>
    public bool RequireHttpsMetadata => !(Uri.TryCreate(Authority, UriKind.Absolute, out var uri) && uri.IsLoopback);
}
