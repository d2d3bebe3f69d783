using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Protocol.Primitives;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Federation.Upstream;

/// <summary>A verified upstream ID token, or the short reason it was refused.</summary>
public sealed record UpstreamIdTokenResult(JsonWebToken? Token, string? Reason)
{
    public static UpstreamIdTokenResult Fail(string reason) => new(null, reason);
}

/// <summary>
/// OIDC Core §3.1.3.7, ID token validation, step by step. The token comes from the token endpoint,
/// so step 6 would allow skipping the signature over TLS; it is checked anyway (an upstream may be
/// reached over plain http on loopback in development, and the check is cheap).
/// </summary>
public sealed class UpstreamIdTokenValidator(UpstreamMetadataCache metadata, TimeProvider time, IOptions<FederationOptions> options)
{
    // Asymmetric algorithms only: HS* would be keyed with the client secret (§10.1), which we do not use for this.
    private static readonly HashSet<string> AcceptedAlgorithms = new(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    };

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task<UpstreamIdTokenResult> ValidateAsync(
        string? idToken, string? accessToken, UpstreamProvider provider, UpstreamMetadata upstream, string expectedNonce, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(idToken))
        {
            return UpstreamIdTokenResult.Fail("the token response has no id_token");
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(idToken);
        }
        catch (ArgumentException)
        {
            return UpstreamIdTokenResult.Fail("id_token is not a JWT");
        }

        // Step 7: alg must be one the upstream advertises (id_token_signing_alg_values_supported)
        // and one we accept; "none" never is (a token without a signature proves nothing).
        if (string.IsNullOrEmpty(token.Alg) || token.Alg == "none")
        {
            return UpstreamIdTokenResult.Fail("id_token is unsigned (alg none)");
        }

        if (!AcceptedAlgorithms.Contains(token.Alg) || !upstream.IdTokenSigningAlgorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            return UpstreamIdTokenResult.Fail($"id_token alg {Short(token.Alg)} is not accepted");
        }

        // Step 6: signature with a key from the upstream's JWKS; an unknown kid may mean the upstream
        // rotated, so the JWKS is fetched again (rate-limited by the cache).
        var keys = await metadata.GetSigningKeysAsync(upstream, null, cancellationToken);
        if (!string.IsNullOrEmpty(token.Kid) && keys.All(k => k.KeyId != token.Kid))
        {
            keys = await metadata.GetSigningKeysAsync(upstream, token.Kid, cancellationToken);
            if (keys.All(k => k.KeyId != token.Kid))
            {
                return UpstreamIdTokenResult.Fail("id_token is signed with an unknown key");
            }
        }

        var validated = await _handler.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = [token.Alg],
            RequireSignedTokens = true,
            // iss, aud and the times are checked below, each with its own reason.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });
        if (!validated.IsValid)
        {
            return UpstreamIdTokenResult.Fail("id_token signature is invalid");
        }

        // Step 2: iss must exactly equal the upstream's issuer (mix-up: another provider's token).
        if (!string.Equals(token.Issuer, provider.Issuer, StringComparison.Ordinal))
        {
            return UpstreamIdTokenResult.Fail("id_token iss is not the upstream's issuer");
        }

        // Step 3: aud must contain our client_id.
        var audiences = token.Audiences.ToList();
        if (!audiences.Contains(provider.ClientId, StringComparer.Ordinal))
        {
            return UpstreamIdTokenResult.Fail("id_token aud does not contain our client id");
        }

        // Steps 4-5: with several audiences azp is required; when present it must be our client_id.
        var azp = Claim(token, JwtRegisteredClaimNames.Azp);
        if ((audiences.Count > 1 && azp is null) || (azp is not null && azp != provider.ClientId))
        {
            return UpstreamIdTokenResult.Fail("id_token azp is not our client id");
        }

        var now = time.GetUtcNow();
        var skew = options.Value.ClockSkew;

        // Step 9: the current time must be before exp.
        if (!TryTime(token, JwtRegisteredClaimNames.Exp, out var expires) || now - skew >= expires)
        {
            return UpstreamIdTokenResult.Fail("id_token has expired");
        }

        // Step 10: iat in the future, or long ago, means the token was not minted for this sign-in.
        if (!TryTime(token, JwtRegisteredClaimNames.Iat, out var issuedAt) || issuedAt > now + skew || issuedAt < now - options.Value.MaxIdTokenAge - skew)
        {
            return UpstreamIdTokenResult.Fail("id_token iat is missing, in the future or too old");
        }

        // Step 11: the nonce we sent must come back; it ties the token to this browser's sign-in.
        var nonce = Claim(token, JwtRegisteredClaimNames.Nonce);
        if (nonce is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(expectedNonce)))
        {
            return UpstreamIdTokenResult.Fail("id_token nonce does not match");
        }

        // §3.1.3.8: at_hash is optional in the code flow, but one that is sent binds the access
        // token to this ID token; a mismatch means the access token was swapped, and its UserInfo
        // answer would describe someone else.
        var atHash = Claim(token, JwtRegisteredClaimNames.AtHash);
        if (atHash is not null && (accessToken is null || !TokenHash.Matches(atHash, accessToken, token.Alg)))
        {
            return UpstreamIdTokenResult.Fail("id_token at_hash does not match the access token");
        }

        return new UpstreamIdTokenResult(token, null);
    }

    private static bool TryTime(JsonWebToken token, string name, out DateTimeOffset value)
    {
        value = default;
        if (!token.TryGetPayloadValue<long>(name, out var seconds))
        {
            return false;
        }

        value = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private static string? Claim(JsonWebToken token, string name) =>
        token.TryGetClaim(name, out var claim) ? claim.Value : null;

    private static string Short(string value) => value.Length <= 10 ? value : value[..10];
}
