using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Issuance;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Validation.Grants;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>
/// RFC 6749 §3.2. The HTTP stage only: read the form, then client authentication, the grant's
/// validator, issuance and the response, in that order.
/// </summary>
public sealed partial class TokenEndpoint(
    ClientAuthenticatedRequestReader reader,
    ClientCredentialsGrantValidator clientCredentials,
    AuthorizationCodeGrantValidator authorizationCodes,
    RefreshTokenGrantValidator refreshTokens,
    TokenIssuer tokens,
    ILogger<TokenEndpoint> logger)
{
    public async Task HandleAsync(HttpContext http)
    {
        var read = await reader.ReadAsync(http, "token");
        if (!read.Succeeded)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, read.Error);
            return;
        }

        var (request, client) = read.Value;
        var grantType = request[OAuthParameterNames.GrantType];
        if (grantType is null)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, ProtocolErrors.MissingParameter(OAuthParameterNames.GrantType));
            return;
        }

        if (!GrantTypes.All.Contains(grantType))
        {
            LogUnsupportedGrant(logger, grantType.Length > 60 ? grantType[..60] : grantType);
            await ProtocolResponseWriter.WriteErrorAsync(http, ProtocolErrors.UnsupportedGrantType());
            return;
        }

        var validated = grantType switch
        {
            GrantTypes.AuthorizationCode => await authorizationCodes.ValidateAsync(client, request, http.RequestAborted),
            GrantTypes.RefreshToken => await refreshTokens.ValidateAsync(client, request, http.RequestAborted),
            _ => clientCredentials.Validate(client, request),
        };
        if (!validated.Succeeded)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, validated.Error);
            return;
        }

        var issued = await tokens.IssueAsync(validated.Value, http.RequestAborted);
        if (!issued.Succeeded)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, issued.Error);
            return;
        }

        LogIssued(logger, grantType, client.Client.ClientId);
        await ProtocolResponseWriter.WriteJsonAsync(http, issued.Value);
    }

    [LoggerMessage(5300, LogLevel.Information, "Issued tokens for {GrantType} to {ClientId}")]
    private static partial void LogIssued(ILogger logger, string grantType, string clientId);

    [LoggerMessage(5301, LogLevel.Warning, "Unsupported grant type {GrantType}")]
    private static partial void LogUnsupportedGrant(ILogger logger, string grantType);
}
