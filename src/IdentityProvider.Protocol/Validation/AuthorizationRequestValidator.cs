using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.Extensions.Logging;

namespace IdentityProvider.Protocol.Validation;

/// <summary>
/// The authorization endpoint's checks, in order. Until the client and its redirect URI are
/// trusted, failures are shown to the user; after that they go back to the client.
/// </summary>
public sealed partial class AuthorizationRequestValidator(IClientStore clients, ILogger<AuthorizationRequestValidator> logger)
{
    private const int S256ChallengeLength = 43;

    public async Task<(ValidatedAuthorizationRequest? Request, AuthorizationRequestFailure? Failure)> ValidateAsync(
        ProtocolRequest request, CancellationToken cancellationToken)
    {
        // RFC 6749 §4.1.2.1: an invalid client_id or redirect_uri must not be redirected to.
        var clientId = request[OAuthParameterNames.ClientId];
        if (clientId is null)
        {
            return Page(ProtocolErrors.MissingParameter(OAuthParameterNames.ClientId), "?", "no client_id");
        }

        var client = await clients.FindByIdAsync(clientId, cancellationToken);
        if (client is null)
        {
            return Page(ProtocolErrors.InvalidRequest("The application is not registered."), clientId, "unknown client");
        }

        // OIDC Core §3.1.2.1 makes redirect_uri required; RFC 6749 §3.1.2.3 and the Security BCP
        // (RFC 9700 §4.1.3) require exact string comparison: no normalisation, no wildcards.
        var redirectUri = request[OAuthParameterNames.RedirectUri];
        if (redirectUri is null)
        {
            return Page(ProtocolErrors.MissingParameter(OAuthParameterNames.RedirectUri), clientId, "no redirect_uri");
        }

        if (!client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            return Page(ProtocolErrors.InvalidRequest("The redirect_uri is not registered for this application."), clientId, "unregistered redirect_uri");
        }

        // From here on the redirect URI is trusted. response_mode decides how errors travel, so
        // it is read first; an unknown mode is answered in the default query mode.
        var state = request[OAuthParameterNames.State];
        var responseMode = request[OAuthParameterNames.ResponseMode] ?? ResponseModes.Query;
        if (responseMode is not (ResponseModes.Query or ResponseModes.FormPost))
        {
            return Redirect(ProtocolErrors.InvalidRequest("response_mode must be query or form_post."),
                new AuthorizationResponseTarget(redirectUri, ResponseModes.Query, state), clientId, "unsupported response_mode");
        }

        var target = new AuthorizationResponseTarget(redirectUri, responseMode, state);

        // OIDC Core §6.1, §6.2
        if (request[OAuthParameterNames.Request] is not null)
        {
            return Redirect(ProtocolErrors.RequestNotSupported(), target, clientId, "request object");
        }

        if (request[OAuthParameterNames.RequestUri] is not null)
        {
            return Redirect(ProtocolErrors.RequestUriNotSupported(), target, clientId, "request_uri");
        }

        // RFC 6749 §4.1.1; only the code flow is offered (RFC 9700 §2.1.2).
        var responseType = request[OAuthParameterNames.ResponseType];
        if (responseType is null)
        {
            return Redirect(ProtocolErrors.MissingParameter(OAuthParameterNames.ResponseType), target, clientId, "no response_type");
        }

        if (responseType != ResponseTypes.Code)
        {
            return Redirect(ProtocolErrors.UnsupportedResponseType(), target, clientId, "response_type " + Shorten(responseType));
        }

        // RFC 6749 §4.1.2.1 unauthorized_client
        if (!client.AllowedGrantTypes.Contains(GrantTypes.AuthorizationCode))
        {
            return Redirect(ProtocolErrors.UnauthorizedClient("The application may not use the authorization code flow."), target, clientId, "grant not registered");
        }

        // RFC 6749 §3.3: every requested scope must be registered for the client.
        var scopes = ScopeParser.Parse(request[OAuthParameterNames.Scope]);
        if (scopes.Count == 0)
        {
            return Redirect(ProtocolErrors.InvalidScope("No scope was requested."), target, clientId, "no scope");
        }

        var notAllowed = scopes.Where(s => !client.AllowedScopes.Contains(s)).ToList();
        if (notAllowed.Count > 0)
        {
            return Redirect(ProtocolErrors.InvalidScope("A requested scope is not allowed for this application."), target, clientId,
                "scope not allowed: " + Shorten(string.Join(' ', notAllowed)));
        }

        // RFC 7636 §4.3: a challenge without a method means plain, which protects nothing against
        // a stolen code; only S256 is accepted (RFC 9700 §2.1.1).
        var challenge = request[OAuthParameterNames.CodeChallenge];
        var method = request[OAuthParameterNames.CodeChallengeMethod];
        if (challenge is not null || method is not null)
        {
            if (method != CodeChallengeMethods.S256)
            {
                return Redirect(ProtocolErrors.InvalidRequest("code_challenge_method must be S256."), target, clientId, "PKCE method " + Shorten(method ?? "(plain by default)"));
            }

            if (challenge is null)
            {
                return Redirect(ProtocolErrors.MissingParameter(OAuthParameterNames.CodeChallenge), target, clientId, "method without challenge");
            }

            if (challenge.Length != S256ChallengeLength || !Pkce.IsBase64UrlCharacters(challenge))
            {
                return Redirect(ProtocolErrors.InvalidRequest("code_challenge must be a base64url SHA-256 hash (43 characters)."), target, clientId, "malformed challenge");
            }
        }
        else if (client.RequirePkce || client.IsPublic)
        {
            // RFC 9700 §2.1.1: public clients must use PKCE; this server requires it by default for all.
            return Redirect(ProtocolErrors.InvalidRequest("code_challenge is required (PKCE with S256)."), target, clientId, "PKCE required");
        }

        // OIDC Core §3.1.2.1: prompt is a space-delimited list; none may not be combined.
        var prompt = ScopeParser.Parse(request[OAuthParameterNames.Prompt]).ToHashSet(StringComparer.Ordinal);
        if (prompt.Any(p => !PromptValues.All.Contains(p)))
        {
            return Redirect(ProtocolErrors.InvalidRequest("prompt has an unsupported value."), target, clientId, "unknown prompt value");
        }

        if (prompt.Contains(PromptValues.None) && prompt.Count > 1)
        {
            return Redirect(ProtocolErrors.InvalidRequest("prompt=none cannot be combined with other values."), target, clientId, "prompt none combined");
        }

        // OIDC Core §3.1.2.1: max_age is a non-negative number of seconds.
        TimeSpan? maxAge = null;
        if (request[OAuthParameterNames.MaxAge] is { } maxAgeText)
        {
            if (!int.TryParse(maxAgeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                return Redirect(ProtocolErrors.InvalidRequest("max_age must be a non-negative integer."), target, clientId, "bad max_age");
            }

            maxAge = TimeSpan.FromSeconds(seconds);
        }

        var validated = new ValidatedAuthorizationRequest(
            client,
            target,
            scopes,
            request[OAuthParameterNames.Nonce],
            challenge,
            prompt,
            maxAge,
            request[OAuthParameterNames.LoginHint],
            ScopeParser.Parse(request[OAuthParameterNames.AcrValues]),
            request);
        return (validated, null);
    }

    private (ValidatedAuthorizationRequest?, AuthorizationRequestFailure?) Page(ProtocolError error, string clientId, string reason)
    {
        LogRejected(logger, Shorten(clientId), reason, false);
        return (null, new AuthorizationRequestFailure(error, null));
    }

    private (ValidatedAuthorizationRequest?, AuthorizationRequestFailure?) Redirect(
        ProtocolError error, AuthorizationResponseTarget target, string clientId, string reason)
    {
        LogRejected(logger, clientId, reason, true);
        return (null, new AuthorizationRequestFailure(error, target));
    }

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60];

    [LoggerMessage(5400, LogLevel.Warning, "Authorization request from {ClientId} rejected: {Reason} (redirected: {Redirected})")]
    private static partial void LogRejected(ILogger logger, string clientId, string reason, bool redirected);
}
