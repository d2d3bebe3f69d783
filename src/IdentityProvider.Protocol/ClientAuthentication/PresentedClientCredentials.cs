using System.Text;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Http;

namespace IdentityProvider.Protocol.ClientAuthentication;

/// <summary>What a request offers as client credentials, before anything is checked against a registration.</summary>
public sealed record PresentedClientCredentials(
    string? ClientId,
    string? Secret,
    string? Assertion,
    string Method,
    bool ViaAuthorizationHeader)
{
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public static ProtocolResult<PresentedClientCredentials> Read(HttpRequest http, ProtocolRequest request)
    {
        var header = http.Headers.Authorization.ToString();
        var bodyId = request[OAuthParameterNames.ClientId];
        var bodySecret = request[OAuthParameterNames.ClientSecret];
        var assertion = request[OAuthParameterNames.ClientAssertion];
        var assertionType = request[OAuthParameterNames.ClientAssertionType];

        var methods = (header.Length > 0 ? 1 : 0) + (bodySecret is not null ? 1 : 0) + (assertion is not null ? 1 : 0);
        // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
        if (methods > 1)
        {
            return ProtocolErrors.InvalidRequest("More than one client authentication method was used.");
        }

        if (header.Length > 0)
        {
            return ReadBasic(header, bodyId);
        }

        if (assertion is not null)
        {
            // RFC 7523 §2.2
            if (assertionType != JwtBearerAssertionType)
            {
                return ProtocolErrors.InvalidRequest($"client_assertion_type must be {JwtBearerAssertionType}.");
            }

            return ProtocolResult<PresentedClientCredentials>.Success(
                new PresentedClientCredentials(bodyId, null, assertion, ClientAuthenticationMethods.PrivateKeyJwt, false));
        }

        if (bodyId is null)
        {
            return ProtocolErrors.InvalidClient();
        }

        var method = bodySecret is null ? ClientAuthenticationMethods.None : ClientAuthenticationMethods.ClientSecretPost;
        return ProtocolResult<PresentedClientCredentials>.Success(new PresentedClientCredentials(bodyId, bodySecret, null, method, false));
    }

    // RFC 6749 §2.3.1: client id and secret are form-urlencoded, then joined with ':' and base64-encoded.
    private static ProtocolResult<PresentedClientCredentials> ReadBasic(string header, string? bodyId)
    {
        const string scheme = "Basic ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return ProtocolErrors.InvalidClient(viaAuthorizationHeader: true);
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[scheme.Length..].Trim()));
        }
        catch (FormatException)
        {
            return ProtocolErrors.InvalidClient(viaAuthorizationHeader: true);
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return ProtocolErrors.InvalidClient(viaAuthorizationHeader: true);
        }

        var clientId = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
        var secret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
        if (bodyId is not null && bodyId != clientId)
        {
            return ProtocolErrors.InvalidRequest("client_id in the body does not match the Authorization header.");
        }

        return ProtocolResult<PresentedClientCredentials>.Success(
            new PresentedClientCredentials(clientId, secret, null, ClientAuthenticationMethods.ClientSecretBasic, true));
    }
}
