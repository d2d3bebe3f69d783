using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Interaction;

/// <summary>
/// The only protocol API the hosted pages call. A page learns what the waiting request is about,
/// does its part (sign-in, consent), reports the outcome here, and sends the browser to the
/// returned URL, where the authorization endpoint takes over again.
/// </summary>
public sealed class AuthorizationInteraction(
    IPendingAuthorizationStore pending,
    IClientStore clients,
    IConsentStore consents,
    IAuthenticationSessions sessions,
    TimeProvider time,
    IOptions<OpenIdServerOptions> server)
{
    /// <returns>Null when the id is unknown or the request expired: the page tells the user to start again from the application.</returns>
    public async Task<InteractionContext?> GetContextAsync(string? requestId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(requestId) || requestId.Length > 100)
        {
            return null;
        }

        var request = await pending.FindAsync(requestId, time.GetUtcNow(), cancellationToken);
        if (request is null || !request.Parameters.TryGetValue(OAuthParameterNames.ClientId, out var clientId))
        {
            return null;
        }

        var client = await clients.FindByIdAsync(clientId, cancellationToken);
        if (client is null)
        {
            return null;
        }

        var parameters = request.Parameters;
        return new InteractionContext(
            requestId,
            client.ClientId,
            client.DisplayName,
            ScopeParser.Parse(parameters.GetValueOrDefault(OAuthParameterNames.Scope)),
            parameters.GetValueOrDefault(OAuthParameterNames.LoginHint),
            ScopeParser.Parse(parameters.GetValueOrDefault(OAuthParameterNames.AcrValues)),
            ResumeUrl(requestId))
        {
            UiLocales = ScopeParser.Parse(parameters.GetValueOrDefault(OAuthParameterNames.UiLocales)),
            Prompt = ScopeParser.Parse(parameters.GetValueOrDefault(OAuthParameterNames.Prompt)),
            ReauthenticationRequested = ScopeParser.Parse(parameters.GetValueOrDefault(OAuthParameterNames.Prompt)).Contains("login")
                || parameters.ContainsKey(OAuthParameterNames.MaxAge),
        };
    }

    /// <summary>
    /// The sign-in page is done: starts the session for what the user proved and ties it to the
    /// request, so prompt=login and max_age count as satisfied by this sign-in.
    /// </summary>
    /// <returns>Where to send the browser next, or null when the request is gone.</returns>
    public async Task<string?> CompleteLoginAsync(HttpContext http, string requestId, AuthenticationResult result)
    {
        var session = await sessions.SignInAsync(http, result);
        return await pending.SetAuthenticatedAsync(requestId, session.SessionId, http.RequestAborted) ? ResumeUrl(requestId) : null;
    }

    /// <summary>The consent page is done. Remembered consent is stored only when the user allowed and asked for it.</summary>
    public async Task<string?> CompleteConsentAsync(string requestId, string subject, bool granted, bool remember, CancellationToken cancellationToken)
    {
        var context = await GetContextAsync(requestId, cancellationToken);
        if (context is null)
        {
            return null;
        }

        if (granted && remember)
        {
            await consents.GrantAsync(subject, context.ClientId, context.Scopes, time.GetUtcNow(), cancellationToken);
        }

        return await pending.SetConsentAsync(requestId, granted, cancellationToken) ? context.ResumeUrl : null;
    }

    private string ResumeUrl(string requestId) =>
        server.Value.AuthorizationEndpointPath + AuthorizationEndpoint.ResumeSuffix + "?request=" + Uri.EscapeDataString(requestId);
}

/// <summary>What the pages may know of a waiting authorization request.</summary>
/// <param name="ResumeUrl">Where the browser goes when the page has nothing to add (e.g. already signed in).</param>
public sealed record InteractionContext(
    string RequestId,
    string ClientId,
    string ClientDisplayName,
    IReadOnlyList<string> Scopes,
    string? LoginHint,
    IReadOnlyList<string> AcrValues,
    string ResumeUrl)
{
    /// <summary>OIDC Core §3.1.2.1: languages the client prefers for the pages, most preferred first.</summary>
    public IReadOnlyList<string> UiLocales { get; init; } = [];

    /// <summary>OIDC Core §3.1.2.1 prompt values (<c>login</c>, <c>select_account</c>, ...), as requested.</summary>
    public IReadOnlyList<string> Prompt { get; init; } = [];

    /// <summary>
    /// prompt=login or max_age (OIDC Core §3.1.2.1): the client wants the user's factors proven
    /// again, so neither the session nor a remembered browser stands in for them.
    /// </summary>
    public bool ReauthenticationRequested { get; init; }
}
