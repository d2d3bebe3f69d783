using System.Text;
using System.Text.Encodings.Web;
using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Validation;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>
/// OpenID Connect RP-Initiated Logout 1.0. A valid id_token_hint for the browser's own session
/// proves the request comes from the relying party the user signed in to, so the session ends at
/// once. Without that proof a link alone must not sign anyone out (logout CSRF): the user is
/// asked to confirm, with an antiforgery-protected form (§2: the OP SHOULD ask).
/// </summary>
public sealed partial class EndSessionEndpoint(
    EndSessionRequestValidator validator,
    IAuthenticationSessions sessions,
    IAntiforgery antiforgery,
    IOptions<ProtocolLimitsOptions> limits,
    ILogger<EndSessionEndpoint> logger)
{
    private const string ConfirmField = "confirm";

    public async Task HandleAsync(HttpContext http)
    {
        var isPost = HttpMethods.IsPost(http.Request.Method);
        if (!isPost && !HttpMethods.IsGet(http.Request.Method))
        {
            await AuthorizationResponseWriter.WriteErrorPageAsync(http, ProtocolErrors.InvalidRequest("Use GET or POST."), StatusCodes.Status405MethodNotAllowed);
            return;
        }

        var parsed = isPost ? await ProtocolFormReader.ReadAsync(http, limits.Value) : ProtocolRequest.FromQuery(http.Request.Query, limits.Value);
        if (!parsed.Succeeded)
        {
            await AuthorizationResponseWriter.WriteErrorPageAsync(http, parsed.Error);
            return;
        }

        var validated = await validator.ValidateAsync(parsed.Value, http.RequestAborted);
        if (!validated.Succeeded)
        {
            await AuthorizationResponseWriter.WriteErrorPageAsync(http, validated.Error);
            return;
        }

        var request = validated.Value;
        var session = await sessions.GetCurrentAsync(http);
        var confirmed = isPost && parsed.Value[ConfirmField] == "yes" && await antiforgery.IsRequestValidAsync(http);
        var provenByHint = request.HintSubject is not null && (session is null || session.Subject == request.HintSubject);
        if (session is not null && !confirmed && !provenByHint)
        {
            await WriteConfirmationAsync(http, parsed.Value, request);
            return;
        }

        if (session is not null)
        {
            await sessions.SignOutAsync(http);
            LogSignedOut(logger, session.SessionId, request.Client?.ClientId ?? "-");
        }

        if (request.PostLogoutRedirectUri is not null)
        {
            // §3: state is passed back unchanged.
            var location = request.State is null
                ? request.PostLogoutRedirectUri
                : QueryHelpers.AddQueryString(request.PostLogoutRedirectUri, OAuthParameterNames.State, request.State);
            http.Response.StatusCode = isPost ? StatusCodes.Status303SeeOther : StatusCodes.Status302Found;
            http.Response.Headers.Location = location;
            return;
        }

        await WritePageAsync(http, "You are signed out", "<p>You have been signed out. You can close this window.</p>");
    }

    private async Task WriteConfirmationAsync(HttpContext http, ProtocolRequest raw, ValidatedEndSessionRequest request)
    {
        var encoder = HtmlEncoder.Default;
        var tokens = antiforgery.GetAndStoreTokens(http);
        var fields = new StringBuilder();
        foreach (var (name, value) in raw.Values.Where(p => p.Key != ConfirmField))
        {
            fields.Append($"""<input type="hidden" name="{encoder.Encode(name)}" value="{encoder.Encode(value)}">""");
        }

        fields.Append($"""<input type="hidden" name="{encoder.Encode(tokens.FormFieldName)}" value="{encoder.Encode(tokens.RequestToken ?? "")}">""");
        var from = request.Client is null ? "" : $" from {encoder.Encode(request.Client.DisplayName)}";
        await WritePageAsync(http, "Sign out?", $"""
            <p>Do you want to sign out{from}?</p>
            <form method="post">{fields}<button type="submit" name="{ConfirmField}" value="yes">Sign out</button></form>
            """);
    }

    private static async Task WritePageAsync(HttpContext http, string title, string body)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>{title}</title>
            <link rel="stylesheet" href="/css/site.css"></head>
            <body><main class="card"><h1>{title}</h1>{body}</main></body></html>
            """, http.RequestAborted);
    }

    [LoggerMessage(5610, LogLevel.Information, "Session {SessionId} ended at the request of {ClientId}")]
    private static partial void LogSignedOut(ILogger logger, string sessionId, string clientId);
}
