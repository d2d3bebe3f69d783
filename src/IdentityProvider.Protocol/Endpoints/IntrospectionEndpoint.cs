using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Protocol.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>
/// RFC 7662: tells an authenticated confidential client whether one of its own tokens is active.
/// Every token that is not active, not ours, not the caller's, or not a token at all gets the
/// same <c>{"active":false}</c> (§2.2), so the endpoint cannot be used to probe for tokens.
/// </summary>
public sealed partial class IntrospectionEndpoint(
    ClientAuthenticatedRequestReader reader,
    AccessTokenValidator accessTokens,
    IGrantStore grants,
    IUserClaimsStore users,
    TimeProvider time,
    ILogger<IntrospectionEndpoint> logger)
{
    private static readonly Dictionary<string, object> Inactive = new() { ["active"] = false };

    public async Task HandleAsync(HttpContext http)
    {
        var read = await reader.ReadAsync(http, "introspection");
        if (!read.Succeeded)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, read.Error);
            return;
        }

        var (request, authenticated) = read.Value;

        // RFC 7662 §2.1: the endpoint MUST require authorization, against token scanning. A public
        // client proves nothing (anyone can send its client_id), so it may not introspect. It has
        // no use for it either: it holds its own tokens and cannot keep a resource server's secret.
        var callerId = authenticated.Client.ClientId;
        if (authenticated.Client.IsPublic)
        {
            LogPublicClientRefused(logger, callerId);
            await ProtocolResponseWriter.WriteErrorAsync(http, ProtocolErrors.ClientAuthenticationRequired());
            return;
        }

        var token = request[OAuthParameterNames.Token];
        if (token is null)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, ProtocolErrors.MissingParameter(OAuthParameterNames.Token));
            return;
        }

        // RFC 7662 §2.1: token_type_hint is only a hint. Ours are told apart by their form (a JWT
        // has dots; a refresh token is base64url), so the hint is not needed and is ignored.
        var response = AccessTokenValidator.LooksLikeJwt(token)
            ? await IntrospectAccessTokenAsync(token, callerId, http.RequestAborted)
            : await IntrospectRefreshTokenAsync(token, callerId, http.RequestAborted);
        await ProtocolResponseWriter.WriteJsonAsync(http, response);
    }

    private async Task<Dictionary<string, object>> IntrospectAccessTokenAsync(string token, string callerId, CancellationToken cancellationToken)
    {
        var validated = await accessTokens.ValidateAsync(token, cancellationToken);
        if (!validated.Succeeded)
        {
            return InactiveBecause(callerId, "access token invalid (see previous entry)");
        }

        var access = validated.Value;
        // We only tell the client a token was issued to about it. A resource server that is a
        // client of its own would need an audience model (tokens issued for it) to see more.
        if (access.ClientId != callerId)
        {
            return InactiveBecause(callerId, "access token of another client");
        }

        // RFC 7662 §2.2 members.
        var body = new Dictionary<string, object>
        {
            ["active"] = true,
            ["client_id"] = access.ClientId,
            ["sub"] = access.Subject,
            ["exp"] = access.ExpiresAt.ToUnixTimeSeconds(),
            ["iat"] = access.IssuedAt.ToUnixTimeSeconds(),
            ["nbf"] = access.NotBefore.ToUnixTimeSeconds(),
            ["iss"] = access.Issuer,
            ["aud"] = access.Audience,
            ["token_type"] = "Bearer",
        };
        if (access.Scopes.Count > 0)
        {
            body["scope"] = string.Join(' ', access.Scopes);
        }

        if (access.TokenId is not null)
        {
            body["jti"] = access.TokenId;
        }

        return body;
    }

    private async Task<Dictionary<string, object>> IntrospectRefreshTokenAsync(string token, string callerId, CancellationToken cancellationToken)
    {
        // Only unused, unexpired tokens of active grants are found: a rotated token is inactive.
        var refresh = await grants.FindByRefreshTokenAsync(OpaqueTokens.Hash(token), time.GetUtcNow(), cancellationToken);
        if (refresh is null)
        {
            return InactiveBecause(callerId, "unknown, used, expired or revoked refresh token");
        }

        var grant = refresh.Grant;
        if (grant.ClientId != callerId)
        {
            return InactiveBecause(callerId, "refresh token of another client");
        }

        // The token endpoint would refuse it (and revoke the grant) for a disabled user; say so now.
        if (await users.FindActiveAsync(grant.Subject, cancellationToken) is null)
        {
            return InactiveBecause(callerId, "user no longer active");
        }

        var body = new Dictionary<string, object>
        {
            ["active"] = true,
            ["client_id"] = grant.ClientId,
            ["sub"] = grant.Subject,
            // The earlier of the token's sliding expiry and the grant's absolute one.
            ["exp"] = (refresh.ExpiresAt < grant.ExpiresAt ? refresh.ExpiresAt : grant.ExpiresAt).ToUnixTimeSeconds(),
            ["token_type"] = "refresh_token",
        };
        if (grant.Scopes.Count > 0)
        {
            body["scope"] = string.Join(' ', grant.Scopes);
        }

        return body;
    }

    private Dictionary<string, object> InactiveBecause(string callerId, string reason)
    {
        LogInactive(logger, callerId, reason);
        return Inactive;
    }

    [LoggerMessage(5521, LogLevel.Warning, "Introspection refused to public client {ClientId}")]
    private static partial void LogPublicClientRefused(ILogger logger, string clientId);

    [LoggerMessage(5520, LogLevel.Information, "Introspection by {ClientId} answered inactive: {Reason}")]
    private static partial void LogInactive(ILogger logger, string clientId, string reason);
}
