using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Protocol.ClientAuthentication;

/// <summary>Checks a client assertion (RFC 7523 §3, OIDC Core §9 private_key_jwt).</summary>
public sealed partial class PrivateKeyJwtValidator(
    IReplayCache replays,
    TimeProvider time,
    IOptions<OpenIdServerOptions> options,
    ILogger<PrivateKeyJwtValidator> logger)
{
    /// <summary>An assertion is meant for one request; refusing long-lived ones bounds what a leaked one is worth.</summary>
    private static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromMinutes(5);

    private static readonly string[] AllowedAlgorithms =
        [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task<bool> ValidateAsync(ClientDefinition client, string assertion, CancellationToken cancellationToken)
    {
        if (client.Jwks is null)
        {
            LogRejected(logger, client.ClientId, "client has no registered keys");
            return false;
        }

        var server = options.Value;
        var now = time.GetUtcNow();
        var parameters = new TokenValidationParameters
        {
            // RFC 7523 §3 items 1-2: iss and sub are the client_id.
            ValidIssuer = client.ClientId,
            // Item 3: the audience identifies this server: the token endpoint URL or the issuer.
            ValidAudiences = [server.TokenEndpoint, server.Issuer, server.Issuer.TrimEnd('/') + "/"],
            IssuerSigningKeys = new JsonWebKeySet(client.Jwks).GetSigningKeys(),
            // Never "none", never a symmetric algorithm: the JWKS holds public keys only.
            ValidAlgorithms = AllowedAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            // Item 4 and 5: exp required, nbf honoured, judged by our clock (TimeProvider), not the machine's.
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } exp && exp.ToUniversalTime() + server.ClockSkew > now.UtcDateTime
                && (notBefore is null || notBefore.Value.ToUniversalTime() - server.ClockSkew <= now.UtcDateTime)
                && exp.ToUniversalTime() - now.UtcDateTime <= MaxAssertionLifetime + server.ClockSkew,
        };

        var result = await _handler.ValidateTokenAsync(assertion, parameters);
        if (!result.IsValid)
        {
            LogRejected(logger, client.ClientId, result.Exception?.GetType().Name ?? "invalid");
            return false;
        }

        var token = (JsonWebToken)result.SecurityToken;
        if (token.Subject != client.ClientId)
        {
            LogRejected(logger, client.ClientId, "sub is not the client_id");
            return false;
        }

        // Item 7: jti makes the assertion single-use; kept until it would have expired anyway.
        if (string.IsNullOrEmpty(token.Id))
        {
            LogRejected(logger, client.ClientId, "no jti");
            return false;
        }

        if (!await replays.TryUseOnceAsync($"client_assertion:{client.ClientId}:{token.Id}", token.ValidTo + server.ClockSkew, cancellationToken))
        {
            LogRejected(logger, client.ClientId, "jti already used");
            return false;
        }

        return true;
    }

    [LoggerMessage(5101, LogLevel.Warning, "Client assertion for {ClientId} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string clientId, string reason);
}
