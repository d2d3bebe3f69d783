using IdentityProvider.Protocol.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <param name="ClientAuthenticated">
/// The back-channel endpoints a client authenticates at (token, introspection, revocation): called
/// by relying parties' servers, answered in JSON.
/// </param>
/// <param name="Authorization">
/// The authorization endpoint: reached by browsers without any credential, and each valid request
/// is stored until the user answers it.
/// </param>
/// <param name="UserInfo">The UserInfo endpoint: called with a bearer token, answered in JSON.</param>
public sealed record OpenIdConnectServerEndpoints(
    IEndpointConventionBuilder ClientAuthenticated,
    IEndpointConventionBuilder Authorization,
    IEndpointConventionBuilder UserInfo);

public static class OpenIdConnectEndpoints
{
    public const string DiscoveryPath = "/.well-known/openid-configuration";

    /// <summary>
    /// Maps the protocol endpoints at the paths named in <see cref="OpenIdServerOptions"/>. The
    /// result lets the host add conventions (a rate-limiting policy, say) to groups of them, so
    /// the library needs to know nothing of the host's middleware.
    /// </summary>
    public static OpenIdConnectServerEndpoints MapOpenIdConnectServer(this IEndpointRouteBuilder endpoints)
    {
        var server = endpoints.ServiceProvider.GetRequiredService<IOptions<OpenIdServerOptions>>().Value;
        endpoints.MapGet(DiscoveryPath, (HttpContext http, DiscoveryDocument discovery) =>
            WritePublicJsonAsync(http, discovery.Utf8Json, maxAgeSeconds: 3600));
        endpoints.MapGet(server.JwksPath, async (HttpContext http, SigningKeyRing keys) =>
            await WritePublicJsonAsync(http, await keys.GetJwksAsync(http.RequestAborted), maxAgeSeconds: 300, "application/jwk-set+json"));
        // GET and POST (OIDC Core §3.1.2.1); other methods get an error page rather than a 405 page
        // without explanation. Antiforgery does not apply: the request comes from another site.
        var authorization = endpoints.Map(server.AuthorizationEndpointPath, (HttpContext http, AuthorizationEndpoint authorize) => authorize.HandleAsync(http))
            .DisableAntiforgery();
        endpoints.MapGet(server.AuthorizationEndpointPath + AuthorizationEndpoint.ResumeSuffix,
            (HttpContext http, AuthorizationEndpoint authorize) => authorize.ResumeAsync(http));
        // The endpoint checks its confirmation form's antiforgery token itself: a relying party's
        // own POST carries none and is answered with the confirmation page.
        endpoints.Map(server.EndSessionEndpointPath, (HttpContext http, EndSessionEndpoint endSession) => endSession.HandleAsync(http))
            .DisableAntiforgery();
        // Every method reaches the endpoint, so a GET gets an OAuth error rather than an HTML page.
        // A group without a prefix: the paths stay as configured, the group carries the conventions.
        var clientAuthenticated = endpoints.MapGroup("");
        clientAuthenticated.DisableAntiforgery();
        clientAuthenticated.Map(server.TokenEndpointPath, (HttpContext http, TokenEndpoint token) => token.HandleAsync(http));
        clientAuthenticated.Map(server.IntrospectionEndpointPath, (HttpContext http, IntrospectionEndpoint introspect) => introspect.HandleAsync(http));
        clientAuthenticated.Map(server.RevocationEndpointPath, (HttpContext http, RevocationEndpoint revoke) => revoke.HandleAsync(http));
        // OIDC Core §5.3.1: GET and POST. A bearer token, not a cookie, authorizes the request,
        // so there is nothing for antiforgery to protect. No CORS for now.
        var userInfo = endpoints.MapMethods(server.UserInfoEndpointPath, [HttpMethods.Get, HttpMethods.Post], (HttpContext http, UserInfoEndpoint userInfo) => userInfo.HandleAsync(http))
            .DisableAntiforgery();
        return new OpenIdConnectServerEndpoints(clientAuthenticated, authorization, userInfo);
    }

    // Public metadata: any origin may read it (browser-based clients fetch it cross-origin), and
    // caches may keep it for a while. The JWKS cache lifetime is far below the pre-publication
    // period of new keys, so a cached copy always holds the key that signs next.
    private static async Task WritePublicJsonAsync(HttpContext http, ReadOnlyMemory<byte> json, int maxAgeSeconds, string contentType = "application/json")
    {
        http.Response.ContentType = contentType;
        http.Response.Headers.CacheControl = $"public, max-age={maxAgeSeconds}";
        http.Response.Headers.AccessControlAllowOrigin = "*";
        await http.Response.Body.WriteAsync(json, http.RequestAborted);
    }
}
