using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Issuance;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Validation;
using IdentityProvider.Protocol.Validation.Grants;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>
/// RFC 6749 §3.2. The HTTP stage only: read the form, then client authentication, the grant's
/// validator, issuance and the response, in that order.
/// </summary>
public sealed partial class TokenEndpoint(
    ClientAuthenticator clientAuthenticator,
    ClientCredentialsGrantValidator clientCredentials,
    AccessTokenIssuer accessTokens,
    IOptions<ProtocolLimitsOptions> limits,
    ILogger<TokenEndpoint> logger)
{
    public async Task HandleAsync(HttpContext http)
    {
        var parsed = await ReadRequestAsync(http);
        if (!parsed.Succeeded)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, parsed.Error);
            return;
        }

        var request = parsed.Value;
        var grantType = request[OAuthParameterNames.GrantType];
        if (grantType is null)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, ProtocolErrors.MissingParameter(OAuthParameterNames.GrantType));
            return;
        }

        if (grantType != GrantTypes.ClientCredentials)
        {
            LogUnsupportedGrant(logger, grantType.Length > 60 ? grantType[..60] : grantType);
            await ProtocolResponseWriter.WriteErrorAsync(http, ProtocolErrors.UnsupportedGrantType());
            return;
        }

        var client = await clientAuthenticator.AuthenticateAsync(http.Request, request, http.RequestAborted);
        if (!client.Succeeded)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, client.Error);
            return;
        }

        var validated = clientCredentials.Validate(client.Value, request);
        if (!validated.Succeeded)
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, validated.Error);
            return;
        }

        await WriteTokensAsync(http, validated.Value);
    }

    private async Task WriteTokensAsync(HttpContext http, ValidatedTokenRequest request)
    {
        var accessToken = await accessTokens.IssueAsync(request, http.RequestAborted);
        // RFC 6749 §5.1
        var response = new Dictionary<string, object>
        {
            ["access_token"] = accessToken.Token,
            ["token_type"] = "Bearer",
            ["expires_in"] = accessToken.ExpiresInSeconds,
        };
        if (accessToken.Scopes.Count > 0)
        {
            response["scope"] = string.Join(' ', accessToken.Scopes);
        }

        LogIssued(logger, request.GrantType, request.Client.Client.ClientId);
        await ProtocolResponseWriter.WriteJsonAsync(http, response);
    }

    // RFC 6749 §3.2: POST with application/x-www-form-urlencoded. The form reader's own limits are
    // set to the protocol's, so an oversized body is refused before it is buffered.
    private async Task<ProtocolResult<ProtocolRequest>> ReadRequestAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            return new ProtocolError(ErrorCodes.InvalidRequest, "The token endpoint accepts POST only.", StatusCodes.Status405MethodNotAllowed);
        }

        if (!http.Request.HasFormContentType || http.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            return ProtocolErrors.InvalidRequest("The body must be application/x-www-form-urlencoded.");
        }

        var options = limits.Value;
        try
        {
            var form = await http.Request.ReadFormAsync(new FormOptions
            {
                ValueCountLimit = options.MaxParameterCount,
                ValueLengthLimit = options.MaxLengths.Values.Append(options.DefaultMaxLength).Max(),
                KeyLengthLimit = 200,
            }, http.RequestAborted);
            return ProtocolRequest.FromForm(form, options);
        }
        catch (InvalidDataException)
        {
            return ProtocolErrors.InvalidRequest("The request body is malformed or too large.");
        }
    }

    [LoggerMessage(5300, LogLevel.Information, "Issued tokens for {GrantType} to {ClientId}")]
    private static partial void LogIssued(ILogger logger, string grantType, string clientId);

    [LoggerMessage(5301, LogLevel.Warning, "Unsupported grant type {GrantType}")]
    private static partial void LogUnsupportedGrant(ILogger logger, string grantType);
}
