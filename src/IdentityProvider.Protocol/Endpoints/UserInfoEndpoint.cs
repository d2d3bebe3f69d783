using IdentityProvider.Protocol.Issuance;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>
/// OIDC Core §5.3: the claims of the user an access token was issued for, as released by the
/// token's scopes. The endpoint is an OAuth protected resource, so it speaks RFC 6750: a bearer
/// token in, a WWW-Authenticate challenge out when something is wrong.
/// </summary>
public sealed partial class UserInfoEndpoint(
    AccessTokenValidator accessTokens,
    IOptions<ProtocolLimitsOptions> limits,
    ScopeClaimsMapper scopeClaims,
    ILogger<UserInfoEndpoint> logger)
{
    private const string BearerPrefix = "Bearer ";

    public async Task HandleAsync(HttpContext http)
    {
        var read = await ReadTokenAsync(http);
        if (!read.Succeeded)
        {
            await ProtocolResponseWriter.WriteBearerChallengeAsync(http, read.Error);
            return;
        }

        // RFC 6750 §3.1: a request without any token gets a challenge without an error code.
        if (read.Value.Length == 0)
        {
            await ProtocolResponseWriter.WriteBearerChallengeAsync(http, error: null);
            return;
        }

        var validated = await accessTokens.ValidateAsync(read.Value, http.RequestAborted);
        if (!validated.Succeeded)
        {
            await ProtocolResponseWriter.WriteBearerChallengeAsync(http, validated.Error);
            return;
        }

        var token = validated.Value;
        // OIDC Core §5.3: UserInfo describes a user; a client's own token (client_credentials) has none.
        if (!token.HasUser || token.User is null)
        {
            LogRejected(logger, token.ClientId, "token has no user");
            await ProtocolResponseWriter.WriteBearerChallengeAsync(http, ProtocolErrors.InvalidToken());
            return;
        }

        // OIDC Core §5.3: the token must have been granted with the openid scope (RFC 6750 §3.1: 403).
        if (!token.Scopes.Contains(StandardScopes.OpenId))
        {
            LogRejected(logger, token.ClientId, "no openid scope");
            await ProtocolResponseWriter.WriteBearerChallengeAsync(http, ProtocolErrors.InsufficientScope(StandardScopes.OpenId), StandardScopes.OpenId);
            return;
        }

        // OIDC Core §5.3.2: sub always, the other claims as the scopes release them (§5.4).
        await ProtocolResponseWriter.WriteJsonAsync(http, scopeClaims.Release(token.User, token.Scopes));
    }

    /// <summary>
    /// RFC 6750 §2.1 (Authorization header) or §2.2 (form body, POST only). §2.3 (query string)
    /// is not supported: URLs end up in logs and Referer headers. An empty string means no token.
    /// </summary>
    private async Task<ProtocolResult<string>> ReadTokenAsync(HttpContext http)
    {
        string? fromHeader = null;
        var authorization = http.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            fromHeader = authorization[BearerPrefix.Length..].Trim();
            if (fromHeader.Length == 0 || fromHeader.Length > limits.Value.MaxLengthOf(OAuthParameterNames.AccessToken))
            {
                return ProtocolErrors.InvalidToken();
            }
        }

        string? fromBody = null;
        if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            var form = await ProtocolFormReader.ReadAsync(http, limits.Value);
            if (!form.Succeeded)
            {
                return form.Error;
            }

            fromBody = form.Value[OAuthParameterNames.AccessToken];
        }

        // RFC 6750 §2: clients MUST NOT use more than one method in each request.
        if (fromHeader is not null && fromBody is not null)
        {
            return ProtocolErrors.MultipleAccessTokens();
        }

        return ProtocolResult<string>.Success(fromHeader ?? fromBody ?? "");
    }

    [LoggerMessage(5510, LogLevel.Information, "UserInfo request with a token of {ClientId} refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string clientId, string reason);
}
