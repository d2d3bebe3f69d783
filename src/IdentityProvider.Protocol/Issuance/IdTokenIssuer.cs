using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Protocol.Issuance;

/// <summary>OIDC Core §2 and §3.1.3.6: the ID token, saying who signed in, when and how.</summary>
public sealed class IdTokenIssuer(
    SigningKeyRing keys,
    TimeProvider time,
    IOptions<OpenIdServerOptions> server,
    IOptions<SigningKeyOptions> keyOptions,
    ScopeClaimsMapper scopeClaims)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public async Task<string> IssueAsync(
        GrantRecord grant, UserClaims user, IReadOnlyList<string> scopes, string? nonce, string accessToken, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var signing = await keys.GetSigningCredentialsAsync(keyOptions.Value.IdTokenAlgorithm, cancellationToken);
        var claims = scopeClaims.Release(user, scopes);
        claims[JwtRegisteredClaimNames.AuthTime] = grant.AuthTime.ToUnixTimeSeconds();
        claims[JwtRegisteredClaimNames.Amr] = grant.Amr;
        // OIDC Core §3.1.3.6: at_hash binds the access token delivered alongside.
        claims[JwtRegisteredClaimNames.AtHash] = TokenHash.LeftHalf(accessToken, signing.Algorithm)
            ?? throw new InvalidOperationException("No at_hash for signing algorithm " + signing.Algorithm);
        if (grant.Acr is not null)
        {
            claims[JwtRegisteredClaimNames.Acr] = grant.Acr;
        }

        if (grant.SessionId is not null)
        {
            // OpenID Connect Front-/Back-Channel Logout: sid identifies the session at this provider.
            claims[JwtRegisteredClaimNames.Sid] = grant.SessionId;
        }

        if (nonce is not null)
        {
            claims[JwtRegisteredClaimNames.Nonce] = nonce;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "JWT",
            Issuer = server.Value.Issuer,
            Audience = grant.ClientId,
            IssuedAt = now.UtcDateTime,
            Expires = (now + server.Value.IdTokenLifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = signing,
        });
    }
}
