using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using Microsoft.Extensions.Logging;

namespace IdentityProvider.Protocol.Validation.Grants;

/// <summary>RFC 6749 §4.4: a client acting on its own behalf.</summary>
public sealed partial class ClientCredentialsGrantValidator(ILogger<ClientCredentialsGrantValidator> logger)
{
    public ProtocolResult<ValidatedTokenRequest> Validate(AuthenticatedClient authenticated, ProtocolRequest request)
    {
        var client = authenticated.Client;

        // RFC 6749 §4.4: only confidential clients; a public client proves nothing about itself.
        if (client.IsPublic)
        {
            return Reject(ProtocolErrors.UnauthorizedClient("Public clients cannot use client_credentials."), client.ClientId, "public client");
        }

        // RFC 6749 §5.2 unauthorized_client: the client is not registered for this grant.
        if (!client.AllowedGrantTypes.Contains(GrantTypes.ClientCredentials))
        {
            return Reject(ProtocolErrors.UnauthorizedClient("The client is not allowed to use client_credentials."), client.ClientId, "grant not registered");
        }

        var scopes = ScopeParser.Parse(request[OAuthParameterNames.Scope]);
        // OIDC scopes describe a user; there is none in this grant (OIDC Core §3.1.2.1 applies to end-user flows).
        if (scopes.Contains(StandardScopes.OpenId) || scopes.Contains(StandardScopes.OfflineAccess))
        {
            return Reject(ProtocolErrors.InvalidScope("openid and offline_access need a user; client_credentials has none."), client.ClientId, "user scope requested");
        }

        // RFC 6749 §3.3: the server may fully or partially ignore the requested scope; we refuse
        // instead, so a client never silently runs with less than it asked for.
        var unknown = scopes.Where(s => !client.AllowedScopes.Contains(s)).ToList();
        if (unknown.Count > 0)
        {
            return Reject(ProtocolErrors.InvalidScope("A requested scope is not allowed for this client."), client.ClientId, "scope not allowed: " + string.Join(' ', unknown));
        }

        // RFC 6749 §3.3: with no scope requested, a pre-defined default: everything registered
        // that is not a user scope.
        var granted = scopes.Count > 0
            ? scopes
            : client.AllowedScopes.Where(s => s is not (StandardScopes.OpenId or StandardScopes.OfflineAccess)).Order(StringComparer.Ordinal).ToList();
        return ProtocolResult<ValidatedTokenRequest>.Success(new ValidatedTokenRequest(authenticated, GrantTypes.ClientCredentials, granted));
    }

    private ProtocolResult<ValidatedTokenRequest> Reject(ProtocolError error, string clientId, string reason)
    {
        LogRejected(logger, clientId, reason);
        return error;
    }

    [LoggerMessage(5200, LogLevel.Warning, "client_credentials request from {ClientId} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string clientId, string reason);
}
