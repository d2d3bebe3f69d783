using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Tests.Federation;

/// <summary>How the fake upstream's next ID token goes wrong.</summary>
public enum IdTokenFault
{
    None,
    SignedByForeignKeyWithKnownKid,
    SignedByUnknownKey,
    AlgNone,
    WrongIssuer,
    WrongAudience,
    Expired,
    WrongNonce,

    /// <summary>at_hash of another access token: the token response's access token was swapped.</summary>
    WrongAtHash,
}

/// <summary>
/// A small upstream OpenID Connect provider on a real loopback port: discovery, JWKS, an authorize
/// endpoint that answers at once with a code, a token endpoint and userinfo. Knobs make it misbehave;
/// it records what it received so tests can check what our relying party sent.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    public const string ClientId = "idp-at-corp";
    public const string ClientSecret = "s3cret: with spaces & symbols";

    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, IssuedCode> _codes = new();
    private int _jwksRequests;
    private int _discoveryRequests;

    private FakeUpstream(WebApplication app, TimeProvider time)
    {
        _app = app;
        _time = time;
        SigningKey = NewKey("key-1");
        PublishedKeys = [SigningKey];
    }

    public string Issuer { get; private set; } = "";

    // Knobs.
    public bool AdvertiseIssParameter { get; set; } = true;
    public string? DiscoveryIssuer { get; set; }
    public bool OmitCallbackIss { get; set; }
    public string? CallbackIss { get; set; }
    public string? AuthorizeError { get; set; }
    public string? TokenError { get; set; }
    public IdTokenFault Fault { get; set; }
    public bool IncludeEmailInIdToken { get; set; } = true;
    public RsaSecurityKey SigningKey { get; private set; }
    public List<RsaSecurityKey> PublishedKeys { get; private set; }

    // Records.
    public int JwksRequests => _jwksRequests;
    public int DiscoveryRequests => _discoveryRequests;
    public IReadOnlyDictionary<string, string> LastAuthorizeQuery { get; private set; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> LastTokenForm { get; private set; } = new Dictionary<string, string>();
    public string? LastTokenAuthorization { get; private set; }
    public int TokenRequests { get; private set; }

    public static async Task<FakeUpstream> StartAsync(TimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new FakeUpstream(app, time);
        upstream.Map();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        upstream.Issuer = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        return upstream;
    }

    /// <summary>The upstream rotates: a new key signs and is published next to the old one.</summary>
    public void Rotate(string keyId)
    {
        SigningKey = NewKey(keyId);
        PublishedKeys = [.. PublishedKeys, SigningKey];
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private void Map()
    {
        _app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref _discoveryRequests);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = DiscoveryIssuer ?? Issuer,
                ["authorization_endpoint"] = Issuer + "/authorize",
                ["token_endpoint"] = Issuer + "/token",
                ["userinfo_endpoint"] = Issuer + "/userinfo",
                ["jwks_uri"] = Issuer + "/jwks",
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["authorization_response_iss_parameter_supported"] = AdvertiseIssParameter,
            });
        });

        _app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref _jwksRequests);
            var keys = PublishedKeys.Select(key =>
            {
                var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId });
                return new Dictionary<string, string> { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = key.KeyId, ["n"] = jwk.N, ["e"] = jwk.E };
            });
            return Results.Json(new { keys });
        });

        _app.MapGet("/authorize", (HttpRequest request) =>
        {
            var query = request.Query.ToDictionary(p => p.Key, p => p.Value.ToString());
            LastAuthorizeQuery = query;
            var answer = new Dictionary<string, string?> { ["state"] = query.GetValueOrDefault("state") };
            if (AuthorizeError is not null)
            {
                answer["error"] = AuthorizeError;
            }
            else
            {
                var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
                _codes[code] = new IssuedCode(query.GetValueOrDefault("nonce"), query.GetValueOrDefault("code_challenge"), query.GetValueOrDefault("redirect_uri"));
                answer["code"] = code;
            }

            if (!OmitCallbackIss)
            {
                answer["iss"] = CallbackIss ?? Issuer;
            }

            return Results.Redirect(QueryHelpers.AddQueryString(query["redirect_uri"], answer));
        });

        _app.MapPost("/token", async (HttpRequest request) =>
        {
            TokenRequests++;
            var form = (await request.ReadFormAsync()).ToDictionary(p => p.Key, p => p.Value.ToString());
            LastTokenForm = form;
            LastTokenAuthorization = request.Headers.Authorization.ToString();
            if (TokenError is not null)
            {
                return Results.Json(new { error = TokenError, error_description = "refused by the fake" }, statusCode: 400);
            }

            // RFC 7636 §4.6: the fake checks the verifier as a real upstream would.
            if (!_codes.TryRemove(form.GetValueOrDefault("code") ?? "", out var issued)
                || issued.RedirectUri != form.GetValueOrDefault("redirect_uri")
                || Challenge(form.GetValueOrDefault("code_verifier") ?? "") != issued.Challenge)
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            }

            return Results.Json(new { access_token = AccessToken, token_type = "Bearer", expires_in = 300, id_token = IdToken(issued.Nonce) });
        });

        _app.MapGet("/userinfo", () => Results.Json(new { sub = "corp-user-42", email = "ada@corp.example", email_verified = true }));
    }

    private const string AccessToken = "upstream-access-token";

    private string IdToken(string? nonce)
    {
        var now = _time.GetUtcNow();
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "corp-user-42",
            ["name"] = "Ada Lovelace",
            ["groups"] = new[] { "engineering", "admins" },
            ["amr"] = new[] { "pwd", "otp" },
            ["acr"] = "urn:corp:silver",
            ["nonce"] = Fault == IdTokenFault.WrongNonce ? "another-nonce" : nonce ?? "",
            // OIDC Core §3.1.3.6, as real upstreams send it (it is optional in the code flow).
            ["at_hash"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Fault == IdTokenFault.WrongAtHash ? "another-access-token" : AccessToken))[..16]),
        };
        if (IncludeEmailInIdToken)
        {
            claims["email"] = "ada@corp.example";
            claims["email_verified"] = true;
        }

        var issuedAt = Fault == IdTokenFault.Expired ? now.AddHours(-2) : now;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Fault == IdTokenFault.WrongIssuer ? "https://evil.example" : Issuer,
            Audience = Fault == IdTokenFault.WrongAudience ? "someone-else" : ClientId,
            IssuedAt = issuedAt.UtcDateTime,
            Expires = issuedAt.AddMinutes(5).UtcDateTime,
            Claims = claims,
        };
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        switch (Fault)
        {
            case IdTokenFault.AlgNone:
                return handler.CreateToken(descriptor); // no signing credentials: alg "none"
            case IdTokenFault.SignedByForeignKeyWithKnownKid:
                descriptor.SigningCredentials = new SigningCredentials(NewKey(SigningKey.KeyId), SecurityAlgorithms.RsaSha256);
                break;
            case IdTokenFault.SignedByUnknownKey:
                descriptor.SigningCredentials = new SigningCredentials(NewKey("never-published"), SecurityAlgorithms.RsaSha256);
                break;
            default:
                descriptor.SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256);
                break;
        }

        return handler.CreateToken(descriptor);
    }

    public static string Challenge(string verifier) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static RsaSecurityKey NewKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };

    private sealed record IssuedCode(string? Nonce, string? Challenge, string? RedirectUri);
}
