using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Issuance;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Protocol.Validation;

/// <summary>
/// Checks an access token this server issued (RFC 9068 §4), for UserInfo, introspection and
/// revocation: the offline JWT checks a resource server makes, then the online ones only we can
/// make (the grant is not revoked, the user is still active). Every failure is the same
/// invalid_token to the caller; the reason is logged.
/// </summary>
public sealed partial class AccessTokenValidator(
    SigningKeyRing keys,
    IGrantStore grants,
    IUserClaimsStore users,
    TimeProvider time,
    IOptions<OpenIdServerOptions> server,
    ILogger<AccessTokenValidator> logger)
{
    /// <summary>
    /// The tokens are ours, judged by the clocks of our own nodes: only their drift needs room,
    /// far less than the skew allowed to clients' clocks.
    /// </summary>
    public static readonly TimeSpan OwnClockSkew = TimeSpan.FromSeconds(30);

    private static readonly string[] AllowedAlgorithms = [.. SigningAlgorithms.All];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>
    /// Our access tokens are JWS compact serializations (three dot-separated parts); our refresh
    /// tokens are base64url and never contain a dot. Lets introspection and revocation tell them
    /// apart without relying on token_type_hint.
    /// </summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2;

    public async Task<ProtocolResult<ValidatedAccessToken>> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var options = server.Value;
        var now = time.GetUtcNow();
        var parameters = new TokenValidationParameters
        {
            // RFC 9068 §4 items 2-3: iss is exactly our issuer, aud names the resources we protect.
            ValidIssuer = options.Issuer,
            ValidAudience = options.ResolvedAccessTokenAudience,
            // Item 1: typ at+jwt, so an ID token (typ JWT) is never accepted as an access token.
            ValidTypes = ["at+jwt"],
            // Items 4-5: signed by one of our published keys with the algorithm of that key;
            // "none" and symmetric algorithms never pass.
            IssuerSigningKeys = await keys.GetValidationKeysAsync(cancellationToken),
            ValidAlgorithms = AllowedAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            // Item 6: exp (and nbf) by our TimeProvider, not the machine clock.
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } exp && exp.ToUniversalTime() + OwnClockSkew > now.UtcDateTime
                && (notBefore is null || notBefore.Value.ToUniversalTime() - OwnClockSkew <= now.UtcDateTime),
        };

        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(token, parameters);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException)
        {
            // Garbage is a client mistake, never a 500.
            return Reject("malformed: " + ex.GetType().Name);
        }

        if (!result.IsValid)
        {
            return Reject(result.Exception?.GetType().Name ?? "invalid");
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        if (!jwt.TryGetPayloadValue<string>("client_id", out var clientId) || string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(jwt.Subject))
        {
            // RFC 9068 §2.2: sub and client_id are required; every token we mint has both.
            return Reject("no sub or client_id");
        }

        jwt.TryGetPayloadValue<string>("scope", out var scope);
        jwt.TryGetPayloadValue<string>(AccessTokenIssuer.GrantIdClaim, out var grantId);
        var validated = new ValidatedAccessToken(
            jwt.Subject, clientId, ScopeParser.Parse(scope), jwt.Id, grantId,
            new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero), new DateTimeOffset(jwt.ValidFrom, TimeSpan.Zero),
            new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), jwt.Issuer, options.ResolvedAccessTokenAudience);

        if (grantId is null)
        {
            // A client_credentials token: no user and no grant, so nothing online to check.
            return ProtocolResult<ValidatedAccessToken>.Success(validated);
        }

        // Online checks beyond RFC 9068: a token minted under a grant dies with the grant
        // (revocation, refresh token reuse, code replay), and with the user's account.
        var grant = await grants.FindActiveAsync(grantId, now, cancellationToken);
        if (grant is null)
        {
            return Reject("grant revoked or expired");
        }

        if (grant.ClientId != clientId || grant.Subject != jwt.Subject)
        {
            return Reject("grant does not match the token's client or subject");
        }

        var user = await users.FindActiveAsync(grant.Subject, cancellationToken);
        if (user is null)
        {
            return Reject("user no longer active");
        }

        return ProtocolResult<ValidatedAccessToken>.Success(validated with { User = user });
    }

    private ProtocolResult<ValidatedAccessToken> Reject(string reason)
    {
        LogRejected(logger, reason);
        return ProtocolErrors.InvalidToken();
    }

    [LoggerMessage(5500, LogLevel.Information, "Access token rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);
}

/// <summary>
/// An access token of ours that passed every check. <see cref="GrantId"/> and <see cref="User"/>
/// are null for a client's own (client_credentials) token; otherwise <see cref="User"/> is the
/// user as found active during validation.
/// </summary>
public sealed record ValidatedAccessToken(
    string Subject,
    string ClientId,
    IReadOnlyList<string> Scopes,
    string? TokenId,
    string? GrantId,
    DateTimeOffset IssuedAt,
    DateTimeOffset NotBefore,
    DateTimeOffset ExpiresAt,
    string Issuer,
    string Audience,
    UserClaims? User = null)
{
    public bool HasUser => GrantId is not null;
}
