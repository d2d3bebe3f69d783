using System.Text.Json;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Http;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>JSON responses of the back-channel endpoints (token, introspection, revocation, userinfo).</summary>
public static class ProtocolResponseWriter
{
    public static Task WriteJsonAsync(HttpContext http, object body, int statusCode = StatusCodes.Status200OK)
    {
        // RFC 6749 §5.1: responses carrying tokens or credentials must not be cached.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "application/json;charset=UTF-8";
        return JsonSerializer.SerializeAsync(http.Response.Body, body, cancellationToken: http.RequestAborted);
    }

    /// <summary>RFC 6749 §5.2: <c>error</c> and <c>error_description</c>; a 401 names the scheme to use.</summary>
    public static Task WriteErrorAsync(HttpContext http, ProtocolError error)
    {
        if (error.StatusCode == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"token\", charset=\"UTF-8\"";
        }

        return WriteJsonAsync(http, new Dictionary<string, string>
        {
            ["error"] = error.Error,
            ["error_description"] = error.Description,
        }, error.StatusCode);
    }
}
