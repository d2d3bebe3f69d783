using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Federation.Upstream;

/// <summary>
/// Ties a federated sign-in to the browser that started it: a random value in a short-lived
/// HttpOnly cookie, its hash on the state row. A state delivered to another browser (login CSRF,
/// RFC 6749 §10.12; OIDC Core §15.5.2) finds no matching cookie there. SameSite=Lax, because the
/// upstream's redirect back is a top-level cross-site GET that must still carry it.
/// </summary>
public sealed class BrowserBinding(IOptions<FederationOptions> options, IOptions<OpenIdServerOptions> server)
{
    public const string CookieName = "idp.federation";

    /// <summary>The browser's binding value (kept if it has one, so sign-ins in two tabs both work), set in the cookie; returns its hash.</summary>
    public string Ensure(HttpContext http)
    {
        var value = Current(http) ?? OpaqueTokens.New();
        http.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = server.Value.Issuer.StartsWith("https://", StringComparison.Ordinal),
            Path = "/federation",
            MaxAge = options.Value.StateLifetime,
            IsEssential = true,
        });
        return OpaqueTokens.Hash(value);
    }

    /// <summary>Hash of the browser's binding value, or null when it sent none.</summary>
    public string? CurrentHash(HttpContext http) => Current(http) is { } value ? OpaqueTokens.Hash(value) : null;

    private static string? Current(HttpContext http) =>
        http.Request.Cookies.TryGetValue(CookieName, out var value) && value is { Length: > 20 and <= 100 } ? value : null;
}
