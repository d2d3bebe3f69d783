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
    IInteractionPages pages,
    IOptions<ProtocolLimitsOptions> limits,
    ILogger<EndSessionEndpoint> logger)
{
    /// <summary>The confirmation form's submit button sends this field with the value <c>yes</c>.</summary>
    public const string ConfirmField = "confirm";

    public async Task HandleAsync(HttpContext http)
    {
        var isPost = HttpMethods.IsPost(http.Request.Method);
        if (!isPost && !HttpMethods.IsGet(http.Request.Method))
        {
            await pages.WriteErrorAsync(http, ProtocolErrors.InvalidRequest("Use GET or POST."), StatusCodes.Status405MethodNotAllowed);
            return;
        }

        var parsed = isPost ? await ProtocolFormReader.ReadAsync(http, limits.Value) : ProtocolRequest.FromQuery(http.Request.Query, limits.Value);
        if (!parsed.Succeeded)
        {
            await pages.WriteErrorAsync(http, parsed.Error, StatusCodes.Status400BadRequest);
            return;
        }

        var validated = await validator.ValidateAsync(parsed.Value, http.RequestAborted);
        if (!validated.Succeeded)
        {
            await pages.WriteErrorAsync(http, validated.Error, StatusCodes.Status400BadRequest);
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

        await pages.WriteSignedOutAsync(http);
    }

    // The form posts the original parameters back, with the antiforgery token and the confirmation.
    private Task WriteConfirmationAsync(HttpContext http, ProtocolRequest raw, ValidatedEndSessionRequest request)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var fields = raw.Values.Where(p => p.Key != ConfirmField).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        fields[tokens.FormFieldName] = tokens.RequestToken ?? "";
        return pages.WriteLogoutConfirmationAsync(http, fields, request.Client?.DisplayName);
    }

    [LoggerMessage(5610, LogLevel.Information, "Session {SessionId} ended at the request of {ClientId}")]
    private static partial void LogSignedOut(ILogger logger, string sessionId, string clientId);
}
