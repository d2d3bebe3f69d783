using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.Extensions.Logging;

namespace IdentityProvider.Protocol.Validation.Grants;

/// <summary>RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every refresh token works once.</summary>
public sealed partial class RefreshTokenGrantValidator(
    IGrantStore grants,
    IUserClaimsStore users,
    TimeProvider time,
    ILogger<RefreshTokenGrantValidator> logger)
{
    public async Task<ProtocolResult<ValidatedTokenRequest>> ValidateAsync(
        AuthenticatedClient authenticated, ProtocolRequest request, CancellationToken cancellationToken)
    {
        var clientId = authenticated.Client.ClientId;
        var invalidGrant = ProtocolErrors.InvalidGrant("The refresh token is invalid, expired or revoked.");

        if (!authenticated.Client.AllowedGrantTypes.Contains(GrantTypes.RefreshToken))
        {
            return Reject(ProtocolErrors.UnauthorizedClient("The client is not allowed to use refresh_token."), clientId, "grant not registered");
        }

        var token = request[OAuthParameterNames.RefreshToken];
        if (token is null)
        {
            return Reject(ProtocolErrors.MissingParameter(OAuthParameterNames.RefreshToken), clientId, "no refresh_token");
        }

        var hash = OpaqueTokens.Hash(token);
        var now = time.GetUtcNow();

        // RFC 6749 §6: the scope may only narrow. Checked before the token is consumed, so a
        // client that asks for too much keeps a working token.
        var requested = ScopeParser.Parse(request[OAuthParameterNames.Scope]);
        var current = (await grants.FindByRefreshTokenAsync(hash, now, cancellationToken))?.Grant;
        if (current is not null && current.ClientId == clientId && requested.Any(s => !current.Scopes.Contains(s)))
        {
            return Reject(ProtocolErrors.InvalidScope("The requested scope exceeds what was granted."), clientId, "scope widened");
        }

        var use = await grants.UseRefreshTokenAsync(hash, clientId, now, cancellationToken);
        if (use.Status == RefreshTokenUseStatus.Reused)
        {
            // Two parties hold the same token: the client cannot tell which is the attacker, so
            // the whole family ends and the user signs in again.
            await grants.RevokeAsync(use.GrantId!, now, cancellationToken);
            return Reject(invalidGrant, clientId, "refresh token reused; its grant was revoked");
        }

        if (use.Status != RefreshTokenUseStatus.Rotated)
        {
            return Reject(invalidGrant, clientId, "unknown, expired, revoked or another client's refresh token");
        }

        var grant = use.Grant!;
        var user = await users.FindActiveAsync(grant.Subject, cancellationToken);
        if (user is null)
        {
            await grants.RevokeAsync(grant.GrantId, now, cancellationToken);
            return Reject(invalidGrant, clientId, "user no longer active");
        }

        var scopes = requested.Count > 0 ? requested : grant.Scopes;
        return ProtocolResult<ValidatedTokenRequest>.Success(new ValidatedTokenRequest(authenticated, GrantTypes.RefreshToken, scopes, grant) { User = user });
    }

    private ProtocolResult<ValidatedTokenRequest> Reject(ProtocolError error, string clientId, string reason)
    {
        LogRejected(logger, clientId, reason);
        return error;
    }

    [LoggerMessage(5220, LogLevel.Warning, "refresh_token request from {ClientId} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string clientId, string reason);
}
