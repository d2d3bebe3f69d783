using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Protocol.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>
/// RFC 7009: a client revokes one of its own tokens. Revocation works on grants: revoking either
/// kind of token revokes the grant it was issued under, which ends the refresh token family and
/// makes the grant's access tokens inactive at introspection and UserInfo.
/// </summary>
public sealed partial class RevocationEndpoint(
    ClientAuthenticatedRequestReader reader,
    AccessTokenValidator accessTokens,
    IGrantStore grants,
    TimeProvider time,
    ILogger<RevocationEndpoint> logger)
{
    public async Task HandleAsync(HttpContext http)
    {
        var read = await reader.ReadAsync(http, "revocation");
        if (!read.Succeeded)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, read.Error);
            return;
        }

        // RFC 7009 §2.1: confidential clients authenticate; a public client sends its client_id
        // (method none) and may revoke its own tokens, which it holds anyway.
        var (request, authenticated) = read.Value;

        var token = request[OAuthParameterNames.Token];
        if (token is null)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, ProtocolErrors.MissingParameter(OAuthParameterNames.Token));
            return;
        }

        // RFC 7009 §2.1: token_type_hint may be ignored; our two kinds of token differ in form.
        var callerId = authenticated.Client.ClientId;
        var grantId = AccessTokenValidator.LooksLikeJwt(token)
            ? await GrantOfAccessTokenAsync(token, callerId, http.RequestAborted)
            : await GrantOfRefreshTokenAsync(token, callerId, http.RequestAborted);
        if (grantId is not null && await grants.RevokeAsync(grantId, time.GetUtcNow(), http.RequestAborted))
        {
            LogRevoked(logger, grantId, callerId);
        }

        // RFC 7009 §2.2: 200 whether or not there was anything to revoke, so the answer reveals
        // nothing about the token. The body is empty.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// An access token of the caller names its grant, which is revoked. The JWT itself is
    /// self-contained: a resource server that validates it offline keeps accepting it until it
    /// expires (at most AccessTokenLifetime); introspection and UserInfo refuse it at once.
    /// A client_credentials token has no grant and nothing to revoke: it simply expires.
    /// </summary>
    private async Task<string?> GrantOfAccessTokenAsync(string token, string callerId, CancellationToken cancellationToken)
    {
        var validated = await accessTokens.ValidateAsync(token, cancellationToken);
        if (!validated.Succeeded)
        {
            return Ignore(callerId, "access token invalid, expired or already revoked");
        }

        if (validated.Value.ClientId != callerId)
        {
            return Ignore(callerId, "access token of another client");
        }

        return validated.Value.GrantId ?? Ignore(callerId, "access token without a grant (client_credentials)");
    }

    // RFC 7009 §2.1: revoking a refresh token SHOULD also revoke the access tokens of its grant.
    private async Task<string?> GrantOfRefreshTokenAsync(string token, string callerId, CancellationToken cancellationToken)
    {
        var refresh = await grants.FindByRefreshTokenAsync(OpaqueTokens.Hash(token), time.GetUtcNow(), cancellationToken);
        if (refresh is null)
        {
            return Ignore(callerId, "unknown, used, expired or revoked refresh token");
        }

        // §2.1: the server checks the token was issued to the client making the request.
        return refresh.Grant.ClientId == callerId ? refresh.Grant.GrantId : Ignore(callerId, "refresh token of another client");
    }

    private string? Ignore(string callerId, string reason)
    {
        LogIgnored(logger, callerId, reason);
        return null;
    }

    [LoggerMessage(5530, LogLevel.Information, "Grant {GrantId} revoked at the request of {ClientId}")]
    private static partial void LogRevoked(ILogger logger, string grantId, string clientId);

    [LoggerMessage(5531, LogLevel.Information, "Revocation request of {ClientId} changed nothing: {Reason}")]
    private static partial void LogIgnored(ILogger logger, string clientId, string reason);
}
