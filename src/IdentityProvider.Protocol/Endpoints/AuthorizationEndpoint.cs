using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Issuance;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Protocol.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>
/// RFC 6749 §3.1 / OIDC Core §3.1.2. The HTTP stage: parse, validate, decide what the user still
/// has to do, then either send the browser to the pages or answer the client. When the pages are
/// done they send the browser to <see cref="ResumeSuffix"/>, which re-validates the kept request
/// against the client's current registration and decides again.
/// </summary>
public sealed partial class AuthorizationEndpoint(
    AuthorizationRequestValidator validator,
    AuthorizationInteractionEvaluator interaction,
    AuthorizationCodeIssuer codes,
    AuthorizationResponseWriter responses,
    IPendingAuthorizationStore pendingRequests,
    IAuthenticationSessions sessions,
    IInteractionPages errorPages,
    TimeProvider time,
    IOptions<ProtocolLimitsOptions> limits,
    IOptions<InteractionOptions> pages,
    ILogger<AuthorizationEndpoint> logger)
{
    public const string ResumeSuffix = "/resume";

    public async Task HandleAsync(HttpContext http)
    {
        var parsed = await ReadRequestAsync(http);
        if (!parsed.Succeeded)
        {
            await errorPages.WriteErrorAsync(http, parsed.Error, parsed.Error.StatusCode);
            return;
        }

        var (request, failure) = await validator.ValidateAsync(parsed.Value, http.RequestAborted);
        if (request is null)
        {
            await WriteFailureAsync(http, failure!);
            return;
        }

        var session = await sessions.GetCurrentAsync(http);
        var decision = await interaction.DecideAsync(request, session, pending: null, http.RequestAborted);
        if (decision.Step is InteractionStep.Login or InteractionStep.Consent)
        {
            var now = time.GetUtcNow();
            var kept = new PendingAuthorization(OpaqueTokens.New(), request.Raw.Values, now, now + pages.Value.RequestLifetime);
            await pendingRequests.SaveAsync(kept, http.RequestAborted);
            RedirectToPage(http, decision, kept.Id, request.Client.ClientId);
            return;
        }

        await AnswerClientAsync(http, request, decision);
    }

    public async Task ResumeAsync(HttpContext http)
    {
        var id = http.Request.Query["request"].ToString();
        var kept = id.Length is > 0 and <= 100 ? await pendingRequests.FindAsync(id, time.GetUtcNow(), http.RequestAborted) : null;
        if (kept is null)
        {
            await errorPages.WriteErrorAsync(http, ProtocolErrors.InvalidRequest("The sign-in request has expired or was already completed."), StatusCodes.Status400BadRequest);
            return;
        }

        // The client's registration may have changed while the user was on the pages (a
        // redirect URI removed, the client disabled): what was valid then is checked again now.
        var (request, failure) = await validator.ValidateAsync(ProtocolRequest.FromValues(kept.Parameters), http.RequestAborted);
        if (request is null)
        {
            await pendingRequests.RemoveAsync(id, http.RequestAborted);
            await WriteFailureAsync(http, failure!);
            return;
        }

        var session = await sessions.GetCurrentAsync(http);
        var decision = await interaction.DecideAsync(request, session, kept, http.RequestAborted);
        if (decision.Step is InteractionStep.Login or InteractionStep.Consent)
        {
            RedirectToPage(http, decision, id, request.Client.ClientId);
            return;
        }

        // Single use, decided by the database: of two tabs resuming the same request, one wins.
        if (!await pendingRequests.RemoveAsync(id, http.RequestAborted))
        {
            await errorPages.WriteErrorAsync(http, ProtocolErrors.InvalidRequest("The sign-in request was already completed."), StatusCodes.Status400BadRequest);
            return;
        }

        await AnswerClientAsync(http, request, decision);
    }

    private async Task AnswerClientAsync(HttpContext http, ValidatedAuthorizationRequest request, InteractionDecision decision)
    {
        if (decision.Step == InteractionStep.Error)
        {
            LogRefused(logger, request.Client.ClientId, decision.Error!.Error, decision.Reason);
            await responses.WriteErrorAsync(http, request.Target, decision.Error);
            return;
        }

        var code = await codes.IssueAsync(request, decision.Session!, decision.Acr, http.RequestAborted);
        LogCodeIssued(logger, request.Client.ClientId, decision.Session!.SessionId);
        await responses.WriteCodeAsync(http, request.Target, code);
    }

    private void RedirectToPage(HttpContext http, InteractionDecision decision, string requestId, string clientId)
    {
        LogInteraction(logger, clientId, decision.Step, decision.Reason);
        var path = decision.Step == InteractionStep.Consent ? pages.Value.ConsentPath : pages.Value.LoginPath;
        http.Response.StatusCode = HttpMethods.IsPost(http.Request.Method) ? StatusCodes.Status303SeeOther : StatusCodes.Status302Found;
        http.Response.Headers.Location = QueryHelpers.AddQueryString(path, "request", requestId);
        http.Response.Headers.CacheControl = "no-store";
    }

    private Task WriteFailureAsync(HttpContext http, AuthorizationRequestFailure failure) =>
        failure.Target is null
            ? errorPages.WriteErrorAsync(http, failure.Error, StatusCodes.Status400BadRequest)
            : responses.WriteErrorAsync(http, failure.Target, failure.Error);

    // OIDC Core §3.1.2.1: GET with a query, or POST with a form body.
    private async Task<ProtocolResult<ProtocolRequest>> ReadRequestAsync(HttpContext http)
    {
        var options = limits.Value;
        if (HttpMethods.IsGet(http.Request.Method))
        {
            return ProtocolRequest.FromQuery(http.Request.Query, options);
        }

        if (!HttpMethods.IsPost(http.Request.Method))
        {
            return new ProtocolError(ErrorCodes.InvalidRequest, "The authorization endpoint accepts GET and POST only.", StatusCodes.Status405MethodNotAllowed);
        }

        return await ProtocolFormReader.ReadAsync(http, options);
    }

    [LoggerMessage(5410, LogLevel.Information, "Authorization request from {ClientId} needs {Step}: {Reason}")]
    private static partial void LogInteraction(ILogger logger, string clientId, InteractionStep step, string reason);

    [LoggerMessage(5411, LogLevel.Information, "Authorization code issued to {ClientId} for session {SessionId}")]
    private static partial void LogCodeIssued(ILogger logger, string clientId, string sessionId);

    [LoggerMessage(5412, LogLevel.Information, "Authorization request from {ClientId} answered with {Error}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string clientId, string error, string reason);
}
