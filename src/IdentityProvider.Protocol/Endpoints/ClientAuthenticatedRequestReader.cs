using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>
/// The first two stages every back-channel endpoint shares (token RFC 6749 §3.2, introspection
/// RFC 7662 §2.1, revocation RFC 7009 §2.1): a form POST, then client authentication.
/// </summary>
public sealed class ClientAuthenticatedRequestReader(ClientAuthenticator clientAuthenticator, IOptions<ProtocolLimitsOptions> limits)
{
    public async Task<ProtocolResult<ClientAuthenticatedRequest>> ReadAsync(HttpContext http, string endpointName)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            return new ProtocolError(ErrorCodes.InvalidRequest, $"The {endpointName} endpoint accepts POST only.", StatusCodes.Status405MethodNotAllowed);
        }

        var parsed = await ProtocolFormReader.ReadAsync(http, limits.Value);
        if (!parsed.Succeeded)
        {
            return parsed.Error;
        }

        var client = await clientAuthenticator.AuthenticateAsync(http.Request, parsed.Value, http.RequestAborted);
        return client.Succeeded
            ? ProtocolResult<ClientAuthenticatedRequest>.Success(new ClientAuthenticatedRequest(parsed.Value, client.Value))
            : client.Error;
    }
}

public sealed record ClientAuthenticatedRequest(ProtocolRequest Request, AuthenticatedClient Client);
