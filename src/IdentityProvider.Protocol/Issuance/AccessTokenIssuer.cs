using System.Buffers.Text;
using System.Security.Cryptography;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Validation;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Protocol.Issuance;

/// <summary>
/// Mints access tokens as JWTs per RFC 9068, so resource servers validate them offline against
/// the JWKS.
/// </summary>
public sealed class AccessTokenIssuer(
    SigningKeyRing keys,
    TimeProvider time,
    IOptions<OpenIdServerOptions> server,
    IOptions<SigningKeyOptions> keyOptions)
{
    /// <summary>Names the grant a user's access token was minted under, so introspection can tell when it was revoked.</summary>
    public const string GrantIdClaim = "grant_id";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public async Task<IssuedAccessToken> IssueAsync(ValidatedTokenRequest request, CancellationToken cancellationToken)
    {
        var options = server.Value;
        var now = time.GetUtcNow();
        var expires = now + options.AccessTokenLifetime;
        var clientId = request.Client.Client.ClientId;
        var claims = new Dictionary<string, object>
        {
            // RFC 9068 §2.2: sub is the user, or the client itself when there is no user.
            [JwtRegisteredClaimNames.Sub] = request.Subject,
            ["client_id"] = clientId,
            [JwtRegisteredClaimNames.Jti] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
        };
        if (request.Scopes.Count > 0)
        {
            claims["scope"] = string.Join(' ', request.Scopes);
        }

        if (request.Grant is { } grant)
        {
            // RFC 9068 §2.2.1: how the user authenticated, for resource servers with their own rules.
            claims[JwtRegisteredClaimNames.AuthTime] = grant.AuthTime.ToUnixTimeSeconds();
            claims[JwtRegisteredClaimNames.Amr] = grant.Amr;
            if (grant.Acr is not null)
            {
                claims[JwtRegisteredClaimNames.Acr] = grant.Acr;
            }

            if (grant.SessionId is not null)
            {
                claims[JwtRegisteredClaimNames.Sid] = grant.SessionId;
            }

            claims[GrantIdClaim] = grant.GrantId;
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            // RFC 9068 §2.1: typ "at+jwt", so an access token can never be mistaken for an ID token.
            TokenType = "at+jwt",
            Issuer = options.Issuer,
            Audience = options.ResolvedAccessTokenAudience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = await keys.GetSigningCredentialsAsync(keyOptions.Value.AccessTokenAlgorithm, cancellationToken),
        });
        return new IssuedAccessToken(token, (int)options.AccessTokenLifetime.TotalSeconds, request.Scopes);
    }
}

public sealed record IssuedAccessToken(string Token, int ExpiresInSeconds, IReadOnlyList<string> Scopes);
