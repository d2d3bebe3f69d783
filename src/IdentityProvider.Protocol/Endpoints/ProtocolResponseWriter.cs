using System.Text.Json;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Diagnostics;
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

    /// <summary>
    /// RFC 6749 §5.2: <c>error</c> and <c>error_description</c>; a 401 names the scheme to use, a
    /// refusal for now says when to come back (RFC 9110 §10.2.3, whole seconds).
    /// </summary>
    public static Task WriteErrorAsync(HttpContext http, ProtocolError error)
    {
        if (error.StatusCode == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"token\", charset=\"UTF-8\"";
        }

        if (error.RetryAfter is { } retryAfter)
        {
            RetryAfterHeader.Set(http.Response, retryAfter);
        }

        return WriteJsonAsync(http, new Dictionary<string, string>
        {
            ["error"] = error.Error,
            ["error_description"] = error.Description,
        }, error.StatusCode);
    }

    /// <summary>
    /// RFC 6750 §3: a protected resource (UserInfo) answers in WWW-Authenticate. With no
    /// <paramref name="error"/> the request carried no token, and §3.1 says the challenge then
    /// names no error code.
    /// </summary>
    public static Task WriteBearerChallengeAsync(HttpContext http, ProtocolError? error, string? scope = null)
    {
        var challenge = "Bearer";
        if (error is not null)
        {
            challenge += $" error=\"{error.Error}\", error_description=\"{ChallengeSafe(error.Description)}\"";
            if (scope is not null)
            {
                challenge += $", scope=\"{scope}\"";
            }
        }

        // The answer is the header, for a client; the host's HTML status pages are for people.
        if (http.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
        {
            statusPages.Enabled = false;
        }

        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        http.Response.Headers.WWWAuthenticate = challenge;
        http.Response.StatusCode = error?.StatusCode ?? StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    // RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. A description may
    // echo a parameter name the client sent, which must not break out of the quoted string or the header.
    private static string ChallengeSafe(string description) =>
        string.Concat(description.Where(c => c is >= ' ' and <= '~' and not '"' and not '\\'));
}
