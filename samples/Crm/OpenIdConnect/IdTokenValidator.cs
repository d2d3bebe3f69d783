using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Samples.Crm.OpenIdConnect;

/// <summary>What the authorization request asked for, so the ID token can be checked against it.</summary>
public sealed record IdTokenExpectations(string? Nonce, string? AccessToken, int? MaxAgeSeconds, string? AcrValues);

/// <summary>A validated ID token, or why it was refused.</summary>
public sealed record IdTokenResult(JsonWebToken? Token, string? Error)
{
    public bool Succeeded => Token is not null;
}

/// <summary>
/// OIDC Core §3.1.3.7, ID token validation for the authorization code flow, step by step. The
/// token comes straight from the token endpoint over TLS, so §3.1.3.7 step 6 would allow skipping
/// the signature; it is checked anyway, because this app may also meet http in development.
/// </summary>
public sealed class IdTokenValidator(ProviderMetadata metadata, IOptionsMonitor<RelyingPartyOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task<IdTokenResult> ValidateAsync(string? idToken, IdTokenExpectations expected, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(idToken))
        {
            return Fail("the token response has no id_token");
        }

        var rp = options.Get(RelyingPartyDefaults.Scheme);
        var validated = await ValidateSignatureIssuerAudienceAsync(idToken, rp, cancellationToken);
        if (validated.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Signed by a key not in our cached JWKS: the provider may have rotated keys. Look once more.
            metadata.RequestRefresh();
            validated = await ValidateSignatureIssuerAudienceAsync(idToken, rp, cancellationToken);
        }

        if (!validated.IsValid || validated.SecurityToken is not JsonWebToken token)
        {
            return Fail("signature, issuer, audience or algorithm rejected: " + validated.Exception?.Message);
        }

        var now = time.GetUtcNow();

        // 4-5. With several audiences, azp must name this client; if azp is present at all, it must.
        var audiences = token.Audiences.ToList();
        var azp = Claim(token, JwtRegisteredClaimNames.Azp);
        if ((audiences.Count > 1 && azp is null) || (azp is not null && azp != rp.ClientId))
        {
            return Fail("azp does not name this client");
        }

        // 9. The current time must be before exp (with a little skew for clock differences).
        if (token.ValidTo == DateTime.MinValue || now - rp.ClockSkew >= new DateTimeOffset(token.ValidTo, TimeSpan.Zero))
        {
            return Fail("the ID token has expired");
        }

        // 10. iat far from now means the token was not minted for this sign-in; refuse one from the future.
        if (token.IssuedAt == DateTime.MinValue || new DateTimeOffset(token.IssuedAt, TimeSpan.Zero) > now + rp.ClockSkew)
        {
            return Fail("iat is missing or in the future");
        }

        // 11. The nonce we sent must come back, which ties the token to this browser's request (replay).
        // Refreshed ID tokens carry no nonce (§12.2), so only a sign-in passes one to check.
        if (expected.Nonce is not null && !FixedTimeEquals(Claim(token, JwtRegisteredClaimNames.Nonce), expected.Nonce))
        {
            return Fail("nonce mismatch");
        }

        // 12. If acr values were requested, the provider must say it met one of them; otherwise a
        // step-up that the provider ignored would send the browser round in a loop.
        if (expected.AcrValues is not null
            && !expected.AcrValues.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(Claim(token, JwtRegisteredClaimNames.Acr)))
        {
            return Fail("the provider did not meet the requested acr");
        }

        // 13. With max_age, auth_time is required and must be recent enough.
        if (expected.MaxAgeSeconds is { } maxAge)
        {
            if (!long.TryParse(Claim(token, JwtRegisteredClaimNames.AuthTime), out var authTime)
                || DateTimeOffset.FromUnixTimeSeconds(authTime).AddSeconds(maxAge) < now - rp.ClockSkew)
            {
                return Fail("auth_time is missing or older than max_age");
            }
        }

        // §3.1.3.8 (code flow): at_hash is optional, but when present it must match the access token.
        var atHash = Claim(token, JwtRegisteredClaimNames.AtHash);
        if (atHash is not null && expected.AccessToken is not null && !FixedTimeEquals(atHash, LeftHalfHash(expected.AccessToken, token.Alg)))
        {
            return Fail("at_hash does not match the access token");
        }

        return new IdTokenResult(token, null);
    }

    private async Task<TokenValidationResult> ValidateSignatureIssuerAudienceAsync(string idToken, RelyingPartyOptions rp, CancellationToken cancellationToken)
    {
        var provider = await metadata.GetAsync(cancellationToken);
        return await _handler.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            // 2. iss must exactly equal the issuer from discovery.
            ValidIssuer = provider.Issuer,
            // 3. aud must contain our client_id.
            ValidAudience = rp.ClientId,
            // 6-8. Signed with a key from the provider's JWKS, with an algorithm we accept
            // (never "none": the handler requires a signature).
            IssuerSigningKeys = provider.SigningKeys,
            ValidAlgorithms = rp.IdTokenSigningAlgorithms,
            RequireSignedTokens = true,
            // 9-10 (exp, iat) are checked above against our TimeProvider.
            ValidateLifetime = false,
        });
    }

    private static string? Claim(JsonWebToken token, string name) =>
        token.TryGetClaim(name, out var claim) ? claim.Value : null;

    private static bool FixedTimeEquals(string? actual, string expected) =>
        actual is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(actual), Encoding.UTF8.GetBytes(expected));

    // §3.1.3.8: base64url of the left half of the hash matching the JWS alg's hash size.
    private static string LeftHalfHash(string value, string algorithm)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        var hash = algorithm[^3..] switch
        {
            "384" => SHA384.HashData(bytes),
            "512" => SHA512.HashData(bytes),
            _ => SHA256.HashData(bytes),
        };
        return Base64Url.EncodeToString(hash.AsSpan(0, hash.Length / 2));
    }

    private static IdTokenResult Fail(string reason) => new(null, reason);

    /// <summary>The claims the app keeps from an ID token: who the user is and how they signed in.</summary>
    public static ClaimsIdentity ToIdentity(JsonWebToken token, string authenticationType)
    {
        string[] protocolOnly = ["nonce", "at_hash", "c_hash", "aud", "azp", "exp", "iat", "nbf", "iss"];
        return new ClaimsIdentity(
            token.Claims.Where(claim => !protocolOnly.Contains(claim.Type)).Select(claim => new Claim(claim.Type, claim.Value, claim.ValueType)),
            authenticationType, nameType: "name", roleType: "role");
    }
}
