using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IdentityProvider.Protocol.ClientAuthentication;

/// <summary>
/// The client-authentication stage shared by the token, introspection and revocation endpoints
/// (RFC 6749 §2.3, §3.2.1; OIDC Core §9). Every failure is the same invalid_client to the caller;
/// the reason is logged.
/// </summary>
public sealed partial class ClientAuthenticator(
    IClientStore clients,
    PrivateKeyJwtValidator assertions,
    TimeProvider time,
    ILogger<ClientAuthenticator> logger)
{
    public async Task<ProtocolResult<AuthenticatedClient>> AuthenticateAsync(
        HttpRequest http, ProtocolRequest request, CancellationToken cancellationToken)
    {
        var read = PresentedClientCredentials.Read(http, request);
        if (!read.Succeeded)
        {
            return read.Error;
        }

        var presented = read.Value;
        var invalid = ProtocolErrors.InvalidClient(presented.ViaAuthorizationHeader);
        var clientId = presented.ClientId ?? ClientIdOfAssertion(presented.Assertion);
        if (clientId is null)
        {
            return Reject(invalid, "?", "no client id");
        }

        var client = await clients.FindByIdAsync(clientId, cancellationToken);
        if (client is null)
        {
            return Reject(invalid, clientId, "unknown or disabled client");
        }

        // OIDC Core §9: the client uses the method it registered, and no other.
        if (presented.Method != client.TokenEndpointAuthMethod)
        {
            return Reject(invalid, clientId, $"used {presented.Method}, registered {client.TokenEndpointAuthMethod}");
        }

        var proven = presented.Method switch
        {
            ClientAuthenticationMethods.None => client.IsPublic,
            ClientAuthenticationMethods.ClientSecretBasic or ClientAuthenticationMethods.ClientSecretPost => SecretMatches(client, presented.Secret!),
            ClientAuthenticationMethods.PrivateKeyJwt => await assertions.ValidateAsync(client, presented.Assertion!, cancellationToken),
            _ => false,
        };
        return proven
            ? ProtocolResult<AuthenticatedClient>.Success(new AuthenticatedClient(client, presented.Method))
            : Reject(invalid, clientId, $"{presented.Method} did not prove the client");
    }

    private bool SecretMatches(ClientDefinition client, string secret)
    {
        var now = time.GetUtcNow();
        // Check every current secret, not just until the first match, so the time taken does not
        // reveal which secret (old or new during a rotation) matched.
        var matched = false;
        foreach (var stored in client.Secrets.Where(s => s.ExpiresAt is null || s.ExpiresAt > now))
        {
            matched |= ClientSecretHasher.Matches(secret, stored.Sha256Hex);
        }

        return matched;
    }

    // RFC 7523 §3: the assertion's iss names the client when client_id is not sent. Read, not
    // trusted: the signature is checked against that client's keys afterwards.
    private static string? ClientIdOfAssertion(string? assertion)
    {
        if (assertion is null)
        {
            return null;
        }

        try
        {
            return new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(assertion).Issuer;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private ProtocolResult<AuthenticatedClient> Reject(ProtocolError error, string clientId, string reason)
    {
        LogRejected(logger, clientId, reason);
        return error;
    }

    [LoggerMessage(5100, LogLevel.Warning, "Client authentication failed for {ClientId}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string clientId, string reason);
}
