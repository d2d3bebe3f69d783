using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>Front-channel responses of the authorization endpoint.</summary>
public sealed class AuthorizationResponseWriter(IOptions<OpenIdServerOptions> server)
{
    public Task WriteCodeAsync(HttpContext http, AuthorizationResponseTarget target, string code) =>
        WriteAsync(http, target, [new(OAuthParameterNames.Code, code)]);

    /// <summary>RFC 6749 §4.1.2.1: error, error_description and state, back to the client.</summary>
    public Task WriteErrorAsync(HttpContext http, AuthorizationResponseTarget target, ProtocolError error) =>
        WriteAsync(http, target, [new(OAuthParameterNames.Error, error.Error), new(OAuthParameterNames.ErrorDescription, error.Description)]);

    private async Task WriteAsync(HttpContext http, AuthorizationResponseTarget target, List<KeyValuePair<string, string?>> parameters)
    {
        if (target.State is not null)
        {
            parameters.Add(new(OAuthParameterNames.State, target.State));
        }

        // RFC 9207 §2: the issuer travels with every response, so a client talking to several
        // providers cannot be tricked into sending this code to another one (mix-up attack).
        parameters.Add(new(OAuthParameterNames.Issuer, server.Value.Issuer));
        http.Response.Headers.CacheControl = "no-store";

        if (target.ResponseMode == ResponseModes.FormPost)
        {
            await WriteFormPostAsync(http, target.RedirectUri, parameters);
            return;
        }

        // RFC 6749 §3.1.2: the query of a registered URI is kept; parameters are appended. After
        // a POST request, 303 makes the browser follow with GET.
        http.Response.StatusCode = HttpMethods.IsPost(http.Request.Method) ? StatusCodes.Status303SeeOther : StatusCodes.Status302Found;
        http.Response.Headers.Location = QueryHelpers.AddQueryString(target.RedirectUri, parameters);
    }

    // OAuth 2.0 Form Post Response Mode §2: an auto-submitting form. The script is allowed by a
    // per-response nonce and the form may only post to the registered redirect URI's origin.
    private static async Task WriteFormPostAsync(HttpContext http, string redirectUri, IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        var encoder = HtmlEncoder.Default;
        var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var origin = new Uri(redirectUri).GetLeftPart(UriPartial.Authority);
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'nonce-{nonce}'; form-action {origin}; base-uri 'none'; frame-ancestors 'none'";
        var inputs = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            inputs.Append($"""<input type="hidden" name="{encoder.Encode(name)}" value="{encoder.Encode(value ?? "")}">""");
        }

        await http.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Signing in…</title></head>
            <body><form method="post" action="{encoder.Encode(redirectUri)}">{inputs}<noscript><button type="submit">Continue</button></noscript></form>
            <script nonce="{nonce}">document.forms[0].submit();</script></body></html>
            """, http.RequestAborted);
    }
}
