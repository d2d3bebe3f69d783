using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Protocol.Validation;

/// <summary>OpenID Connect RP-Initiated Logout 1.0 §2 and §3: who asks, and where the browser may go afterwards.</summary>
public sealed partial class EndSessionRequestValidator(
    IClientStore clients,
    SigningKeyRing keys,
    IOptions<OpenIdServerOptions> server,
    ILogger<EndSessionRequestValidator> logger)
{
    private readonly JsonWebTokenHandler _handler = new();

    public async Task<ProtocolResult<ValidatedEndSessionRequest>> ValidateAsync(ProtocolRequest request, CancellationToken cancellationToken)
    {
        string? hintSubject = null;
        string? hintSessionId = null;
        var clientId = request[OAuthParameterNames.ClientId];

        // §2: id_token_hint is an ID token we issued. Its signature and issuer must hold (a token
        // with alg none or a changed payload proves nothing); its expiry need not, because the
        // relying party may well log out after the token expired.
        if (request[OAuthParameterNames.IdTokenHint] is { } hint)
        {
            var validation = await _handler.ValidateTokenAsync(hint, new TokenValidationParameters
            {
                ValidIssuer = server.Value.Issuer,
                ValidateAudience = false,
                ValidateLifetime = false,
                IssuerSigningKeys = await keys.GetValidationKeysAsync(cancellationToken),
                ValidTypes = ["JWT"],
            });
            if (!validation.IsValid || validation.SecurityToken is not JsonWebToken idToken || idToken.Audiences.Count() != 1)
            {
                return Reject(ProtocolErrors.InvalidRequest("The id_token_hint is not a valid ID token from this provider."), "bad id_token_hint");
            }

            var audience = idToken.Audiences.Single();
            // §2: when both are sent, client_id must be the hint's audience.
            if (clientId is not null && clientId != audience)
            {
                return Reject(ProtocolErrors.InvalidRequest("client_id does not match the id_token_hint."), "client_id differs from aud");
            }

            clientId = audience;
            hintSubject = idToken.Subject;
            hintSessionId = idToken.TryGetClaim(JwtRegisteredClaimNames.Sid, out var sid) ? sid.Value : null;
        }

        var client = clientId is null ? null : await clients.FindByIdAsync(clientId, cancellationToken);
        if (clientId is not null && client is null)
        {
            return Reject(ProtocolErrors.InvalidRequest("The application is not registered."), "unknown client");
        }

        // §3: the URI must have been registered by the client, compared exactly; without a known
        // client there is nothing to compare it with, so the browser is never sent there.
        var redirect = request[OAuthParameterNames.PostLogoutRedirectUri];
        if (redirect is not null && (client is null || !client.PostLogoutRedirectUris.Contains(redirect, StringComparer.Ordinal)))
        {
            return Reject(ProtocolErrors.InvalidRequest("The post_logout_redirect_uri is not registered for this application."), "unregistered post_logout_redirect_uri");
        }

        return ProtocolResult<ValidatedEndSessionRequest>.Success(
            new ValidatedEndSessionRequest(client, redirect, request[OAuthParameterNames.State], hintSubject, hintSessionId));
    }

    private ProtocolResult<ValidatedEndSessionRequest> Reject(ProtocolError error, string reason)
    {
        LogRejected(logger, reason);
        return error;
    }

    [LoggerMessage(5600, LogLevel.Warning, "End-session request rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);
}

/// <param name="HintSubject">The user the relying party says is signing out, proven by a valid id_token_hint.</param>
public sealed record ValidatedEndSessionRequest(
    ClientDefinition? Client,
    string? PostLogoutRedirectUri,
    string? State,
    string? HintSubject,
    string? HintSessionId);
