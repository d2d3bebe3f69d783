using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>
/// The first two stages every back-channel endpoint shares (token RFC 6749 §3.2, introspection
/// RFC 7662 §2.1, revocation RFC 7009 §2.1): a form POST, then client authentication, then the
/// client's request allowance (<see cref="IClientRequestLimiter"/>).
/// </summary>
public sealed class ClientAuthenticatedRequestReader(
    ClientAuthenticator clientAuthenticator,
    IClientRequestLimiter clientLimiter,
    IOptions<ProtocolLimitsOptions> limits)
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
        if (!client.Succeeded)
        {
            return client.Error;
        }

        // A public client proves nothing (RFC 6749 §2.1): anyone may send its client_id, so it
        // has no allowance of its own to exhaust; the per-address limit still applies to it.
        if (client.Value.Method != ClientAuthenticationMethods.None && !clientLimiter.TryAcquire(client.Value, out var retryAfter))
        {
            return ProtocolErrors.TooManyRequests(retryAfter);
        }

        return ProtocolResult<ClientAuthenticatedRequest>.Success(new ClientAuthenticatedRequest(parsed.Value, client.Value));
    }
}

public sealed record ClientAuthenticatedRequest(ProtocolRequest Request, AuthenticatedClient Client);
