using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Validation.Grants;

/// <summary>RFC 6749 §4.1.3 with RFC 7636 §4.6: exchanging a code for tokens.</summary>
public sealed partial class AuthorizationCodeGrantValidator(
    IAuthorizationCodeStore codes,
    IGrantStore grants,
    IUserClaimsStore users,
    TimeProvider time,
    IOptions<OpenIdServerOptions> server,
    ILogger<AuthorizationCodeGrantValidator> logger)
{
    public async Task<ProtocolResult<ValidatedTokenRequest>> ValidateAsync(
        AuthenticatedClient authenticated, ProtocolRequest request, CancellationToken cancellationToken)
    {
        var clientId = authenticated.Client.ClientId;
        var invalidGrant = ProtocolErrors.InvalidGrant("The authorization code is invalid, expired or already used.");

        // RFC 6749 §5.2 unauthorized_client
        if (!authenticated.Client.AllowedGrantTypes.Contains(GrantTypes.AuthorizationCode))
        {
            return Reject(ProtocolErrors.UnauthorizedClient("The client is not allowed to use authorization_code."), clientId, "grant not registered");
        }

        var code = request[OAuthParameterNames.Code];
        if (code is null)
        {
            return Reject(ProtocolErrors.MissingParameter(OAuthParameterNames.Code), clientId, "no code");
        }

        // RFC 6749 §4.1.2: single use, and bound to the client it was issued to. The conditional
        // update in the store decides the race between concurrent redemptions.
        var now = time.GetUtcNow();
        var redemption = await codes.RedeemAsync(OpaqueTokens.Hash(code), clientId, now, cancellationToken);
        if (redemption.Status == CodeRedemptionStatus.AlreadyRedeemed)
        {
            // RFC 6749 §4.1.2: a second use means the code leaked; revoke what the first use issued.
            await grants.RevokeAsync(redemption.Code!.GrantId, now, cancellationToken);
            return Reject(invalidGrant, clientId, "code replayed; its grant was revoked");
        }

        if (redemption.Status != CodeRedemptionStatus.Redeemed)
        {
            return Reject(invalidGrant, clientId, "unknown, expired or another client's code");
        }

        var record = redemption.Code!;

        // RFC 6749 §4.1.3: the same redirect_uri as in the authorization request, exactly.
        if (request[OAuthParameterNames.RedirectUri] != record.RedirectUri)
        {
            return Reject(invalidGrant, clientId, "redirect_uri differs from the authorization request");
        }

        // RFC 7636 §4.6; and a verifier without a challenge is refused too, so PKCE cannot be
        // downgraded by an attacker who injects a code obtained without it (RFC 9700 §4.8.2).
        var verifier = request[OAuthParameterNames.CodeVerifier];
        if (record.CodeChallenge is null ? verifier is not null : verifier is null || !Pkce.VerifierMatches(verifier, record.CodeChallenge))
        {
            return Reject(invalidGrant, clientId, "PKCE verification failed");
        }

        var user = await users.FindActiveAsync(record.Subject, cancellationToken);
        if (user is null)
        {
            return Reject(invalidGrant, clientId, "user no longer active");
        }

        var grant = new GrantRecord(record.GrantId, clientId, record.Subject, record.SessionId, record.Scopes,
            record.AuthTime, record.Amr, record.Acr, now, now + server.Value.RefreshTokenAbsoluteLifetime);
        return ProtocolResult<ValidatedTokenRequest>.Success(
            new ValidatedTokenRequest(authenticated, GrantTypes.AuthorizationCode, record.Scopes, grant, IsNewGrant: true, record.Nonce) { User = user });
    }

    private ProtocolResult<ValidatedTokenRequest> Reject(ProtocolError error, string clientId, string reason)
    {
        LogRejected(logger, clientId, reason);
        return error;
    }

    [LoggerMessage(5210, LogLevel.Warning, "authorization_code request from {ClientId} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string clientId, string reason);
}
