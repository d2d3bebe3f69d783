using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Protocol.Validation;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Issuance;

/// <summary>
/// Mints the token response for a validated request: the access token always; under a user's
/// grant also the ID token (scope openid) and a rotated refresh token (scope offline_access, for
/// clients registered for refresh_token).
/// </summary>
public sealed class TokenIssuer(
    AccessTokenIssuer accessTokens,
    IdTokenIssuer idTokens,
    IGrantStore grants,
    IUserClaimsStore users,
    TimeProvider time,
    IOptions<OpenIdServerOptions> server)
{
    public async Task<ProtocolResult<Dictionary<string, object>>> IssueAsync(ValidatedTokenRequest request, CancellationToken cancellationToken)
    {
        var grant = request.Grant;
        if (grant is not null && request.IsNewGrant)
        {
            await grants.CreateAsync(grant, cancellationToken);
        }

        var accessToken = await accessTokens.IssueAsync(request, cancellationToken);
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

        if (grant is null)
        {
            return ProtocolResult<Dictionary<string, object>>.Success(response);
        }

        if (request.Scopes.Contains(StandardScopes.OpenId))
        {
            var user = request.User ?? await users.FindActiveAsync(grant.Subject, cancellationToken);
            if (user is null)
            {
                return ProtocolErrors.InvalidGrant("The user can no longer sign in.");
            }

            response["id_token"] = await idTokens.IssueAsync(grant, user, request.Scopes, request.Nonce, accessToken.Token, cancellationToken);
        }

        // OIDC Core §11: offline_access asks for a refresh token; RFC 6749 §6 keeps the grant's
        // full scope on the new one, whatever this request narrowed the access token to.
        if (grant.Scopes.Contains(StandardScopes.OfflineAccess) && request.Client.Client.AllowedGrantTypes.Contains(GrantTypes.RefreshToken))
        {
            var refreshToken = OpaqueTokens.New();
            var slidingEnd = time.GetUtcNow() + server.Value.RefreshTokenSlidingLifetime;
            await grants.AddRefreshTokenAsync(OpaqueTokens.Hash(refreshToken), grant.GrantId,
                slidingEnd < grant.ExpiresAt ? slidingEnd : grant.ExpiresAt, cancellationToken);
            response["refresh_token"] = refreshToken;
        }

        return ProtocolResult<Dictionary<string, object>>.Success(response);
    }
}
