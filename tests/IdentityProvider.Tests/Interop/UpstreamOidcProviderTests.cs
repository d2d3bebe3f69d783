using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Tests.Interop;

/// <summary>
/// The upstream fixture (oidc-provider 9) does what the federation client will rely on: discovery
/// with RFC 9207 and end_session, PKCE required, a login form a plain HttpClient can drive,
/// callbacks carrying iss, and ID tokens with the account's claims and the sign-in's amr and acr.
/// </summary>
public sealed class UpstreamOidcProviderTests : IAsyncLifetime
{
    private const string RedirectUri = "http://127.0.0.1:5999/federation/callback/upstream";
    private const string SignedOut = "http://127.0.0.1:5999/federation/signed-out";

    private static readonly UpstreamAccount Alice = new("alice-sub-1", "alice")
    {
        Email = "alice@upstream.example",
        Name = "Alice Upstream",
        Groups = ["engineering", "admins"],
        Acr = "urn:upstream:loa:2",
    };

    private static readonly UpstreamAccount Bob = new("bob-sub-2", "bob", "another long password")
    {
        Name = "Bob Upstream",
        EmailVerified = false,
        Amr = ["pwd", "otp", "mfa"],
        Acr = "urn:upstream:loa:3",
    };

    private readonly HttpClient _browser = UpstreamOidcProvider.CreateBrowserClient();
    private readonly HttpClient _backChannel = new();
    private UpstreamOidcProvider _upstream = null!;

    public async Task InitializeAsync()
    {
        _upstream = await UpstreamOidcProvider.StartAsync(new UpstreamProviderConfig
        {
            Clients =
            [
                new UpstreamClient("our-idp", [RedirectUri]) { PostLogoutRedirectUris = [SignedOut] },
                new UpstreamClient("our-idp-post", [RedirectUri]) { TokenEndpointAuthMethod = "client_secret_post" },
            ],
            Accounts = [Alice, Bob],
        });
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        _backChannel.Dispose();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Discovery_AdvertisesTheIssuer_IssParameter_EndSession_AndS256()
    {
        var discovery = await _backChannel.GetFromJsonAsync<JsonElement>(_upstream.DiscoveryUrl);

        Assert.Equal($"http://127.0.0.1:{_upstream.Port}", _upstream.Issuer);
        Assert.Equal(_upstream.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.True(discovery.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.Equal($"{_upstream.Issuer}/session/end", discovery.GetProperty("end_session_endpoint").GetString());
        Assert.Equal(["S256"], Strings(discovery.GetProperty("code_challenge_methods_supported")));
        Assert.Equal(["urn:upstream:loa:2", "urn:upstream:loa:3"], Strings(discovery.GetProperty("acr_values_supported")));
        Assert.Contains("groups", Strings(discovery.GetProperty("claims_supported")));
    }

    [Fact]
    public async Task SignIn_ReturnsTheCallbackWithCodeStateAndIss_AndReportsTheLogin()
    {
        var request = new AuthorizationRequest("our-idp");

        var callback = await _upstream.SignInAsync(_browser, request.Url(_upstream), "alice", UpstreamAccount.DefaultPassword);

        Assert.StartsWith(RedirectUri + "?", callback.AbsoluteUri);
        var query = QueryHelpers.ParseQuery(callback.Query);
        Assert.False(string.IsNullOrEmpty(query["code"]));
        Assert.Equal(request.State, query["state"]);
        Assert.Equal(_upstream.Issuer, query["iss"]);
        var login = Assert.Single(await _upstream.WaitForLoginsAsync(1));
        Assert.Equal(new UpstreamLogin("alice-sub-1", "our-idp", login.Amr, "urn:upstream:loa:2"), login);
        Assert.Equal(["pwd"], login.Amr);
    }

    [Fact]
    public async Task CodeExchange_WithClientSecretBasic_IssuesAnIdTokenWithTheAccountsClaims()
    {
        var request = new AuthorizationRequest("our-idp");
        var callback = await _upstream.SignInAsync(_browser, request.Url(_upstream), "alice", UpstreamAccount.DefaultPassword);

        var tokens = await ExchangeAsync(request, callback, basic: true);

        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        var claims = await ValidateIdTokenAsync(tokens.Body.GetProperty("id_token").GetString()!, "our-idp");
        Assert.Equal("alice-sub-1", claims.GetProperty("sub").GetString());
        Assert.Equal("alice@upstream.example", claims.GetProperty("email").GetString());
        Assert.True(claims.GetProperty("email_verified").GetBoolean());
        Assert.Equal("Alice Upstream", claims.GetProperty("name").GetString());
        Assert.Equal(["engineering", "admins"], Strings(claims.GetProperty("groups")));
        Assert.Equal(["pwd"], Strings(claims.GetProperty("amr")));
        Assert.Equal("urn:upstream:loa:2", claims.GetProperty("acr").GetString());
        Assert.Equal(request.Nonce, claims.GetProperty("nonce").GetString());
        Assert.Equal(new UpstreamTokenRequest("our-idp", "client_secret_basic", "authorization_code"), Assert.Single(await _upstream.WaitForTokenRequestsAsync(1)));
    }

    [Fact]
    public async Task CodeExchange_WithClientSecretPost_IsReportedAsSuch()
    {
        var request = new AuthorizationRequest("our-idp-post");
        var callback = await _upstream.SignInAsync(_browser, request.Url(_upstream), "alice", UpstreamAccount.DefaultPassword);

        var tokens = await ExchangeAsync(request, callback, basic: false);

        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        Assert.Equal(new UpstreamTokenRequest("our-idp-post", "client_secret_post", "authorization_code"), Assert.Single(await _upstream.WaitForTokenRequestsAsync(1)));
    }

    [Fact]
    public async Task AnMfaAccount_YieldsItsAmrAndAcr_AndAnUnverifiedEmail()
    {
        var request = new AuthorizationRequest("our-idp");
        var callback = await _upstream.SignInAsync(_browser, request.Url(_upstream), "bob", "another long password");

        var claims = await ValidateIdTokenAsync((await ExchangeAsync(request, callback, basic: true)).Body.GetProperty("id_token").GetString()!, "our-idp");

        Assert.Equal("bob-sub-2", claims.GetProperty("sub").GetString());
        Assert.Equal(["pwd", "otp", "mfa"], Strings(claims.GetProperty("amr")));
        Assert.Equal("urn:upstream:loa:3", claims.GetProperty("acr").GetString());
        Assert.False(claims.GetProperty("email_verified").GetBoolean());
        Assert.Equal("bob@upstream.example", claims.GetProperty("email").GetString());
    }

    [Fact]
    public async Task AWrongPassword_RerendersTheFormWithAnError_AndDoesNotRedirect()
    {
        var request = new AuthorizationRequest("our-idp");

        var refused = await Assert.ThrowsAsync<UpstreamPageException>(
            () => _upstream.SignInAsync(_browser, request.Url(_upstream), "alice", "not the password"));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(_upstream.Issuer, refused.Url.GetLeftPart(UriPartial.Authority));
        Assert.StartsWith("/interaction/", refused.Url.AbsolutePath);
        Assert.Contains("Wrong login or password.", refused.Html);
        Assert.Contains("name=\"password\"", refused.Html);
        // The login typed is kept; the password is not echoed back.
        Assert.Contains("value=\"alice\"", refused.Html);
        Assert.DoesNotContain("not the password", refused.Html);
        Assert.Empty(_upstream.Logins);
    }

    [Fact]
    public async Task RequiresPkce_WhenTheCodeChallengeIsMissing()
    {
        var request = new AuthorizationRequest("our-idp");
        var withoutChallenge = new Uri(QueryHelpers.AddQueryString($"{_upstream.Issuer}/auth", new Dictionary<string, string?>
        {
            ["client_id"] = "our-idp",
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "openid email profile",
            ["state"] = request.State,
            ["nonce"] = request.Nonce,
        }));

        var callback = await _upstream.SignInAsync(_browser, withoutChallenge, "alice", UpstreamAccount.DefaultPassword);

        var query = QueryHelpers.ParseQuery(callback.Query);
        Assert.Equal("invalid_request", query["error"]);
        Assert.Contains("PKCE", query["error_description"].ToString());
        Assert.Equal(_upstream.Issuer, query["iss"]);
        Assert.Empty(_upstream.Logins);
    }

    [Fact]
    public async Task CodeExchange_Fails_WithAnotherCodeVerifier()
    {
        var request = new AuthorizationRequest("our-idp");
        var callback = await _upstream.SignInAsync(_browser, request.Url(_upstream), "alice", UpstreamAccount.DefaultPassword);

        var tokens = await ExchangeAsync(request with { Verifier = AuthorizationRequest.Random() }, callback, basic: true);

        Assert.Equal(HttpStatusCode.BadRequest, tokens.StatusCode);
        Assert.Equal("invalid_grant", tokens.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Cancel_ReturnsAccessDeniedWithIss()
    {
        var request = new AuthorizationRequest("our-idp");

        var callback = await _upstream.CancelSignInAsync(_browser, request.Url(_upstream));

        Assert.StartsWith(RedirectUri + "?", callback.AbsoluteUri);
        var query = QueryHelpers.ParseQuery(callback.Query);
        Assert.Equal("access_denied", query["error"]);
        Assert.Equal(request.State, query["state"]);
        Assert.Equal(_upstream.Issuer, query["iss"]);
        Assert.Empty(_upstream.Logins);
    }

    [Fact]
    public async Task RpInitiatedLogout_RedirectsToThePostLogoutUri_AndEndsTheUpstreamSession()
    {
        var request = new AuthorizationRequest("our-idp");
        var callback = await _upstream.SignInAsync(_browser, request.Url(_upstream), "alice", UpstreamAccount.DefaultPassword);
        var idToken = (await ExchangeAsync(request, callback, basic: true)).Body.GetProperty("id_token").GetString()!;
        var endSession = QueryHelpers.AddQueryString($"{_upstream.Issuer}/session/end", new Dictionary<string, string?>
        {
            ["id_token_hint"] = idToken,
            ["post_logout_redirect_uri"] = SignedOut,
            ["state"] = "bye",
        });

        var signedOut = await _upstream.SignOutAsync(_browser, new Uri(endSession));

        Assert.Equal(SignedOut + "?state=bye", signedOut.AbsoluteUri);
        Assert.Equal(new UpstreamLogout("our-idp"), Assert.Single(await _upstream.WaitForLogoutsAsync(1)));
        // The session is gone: the next authorization asks for the password again.
        var again = new AuthorizationRequest("our-idp");
        var refused = await Assert.ThrowsAsync<UpstreamPageException>(() => _upstream.SignInAsync(_browser, again.Url(_upstream), "alice", "wrong"));
        Assert.Contains("Wrong login or password.", refused.Html);
    }

    [Fact]
    public async Task ASecondAuthorization_ReusesTheUpstreamSession_WithoutTheForm()
    {
        await _upstream.SignInAsync(_browser, new AuthorizationRequest("our-idp").Url(_upstream), "alice", UpstreamAccount.DefaultPassword);

        // Wrong credentials would fail if the form were shown; with a session it is not.
        var callback = await _upstream.SignInAsync(_browser, new AuthorizationRequest("our-idp").Url(_upstream), "alice", "wrong");

        Assert.False(string.IsNullOrEmpty(QueryHelpers.ParseQuery(callback.Query)["code"]));
        Assert.Single(await _upstream.WaitForLoginsAsync(1));
    }

    [Fact]
    public async Task CodeExchange_WithPrivateKeyJwt_UsesTheKeysAtTheClientsJwksUri()
    {
        // The client's public key at a loopback jwks_uri, as our server will publish its own.
        using var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = "rp-key-1" };
        var parameters = rsa.ExportParameters(false);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var jwksHost = builder.Build();
        jwksHost.MapGet("/jwks", () => Results.Json(new
        {
            keys = new[] { new { kty = "RSA", kid = key.KeyId, use = "sig", alg = "RS256", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) } },
        }));
        await jwksHost.StartAsync();
        await using var upstream = await UpstreamOidcProvider.StartAsync(new UpstreamProviderConfig
        {
            Clients =
            [
                new UpstreamClient("our-idp-jwt", [RedirectUri])
                {
                    ClientSecret = null,
                    TokenEndpointAuthMethod = "private_key_jwt",
                    TokenEndpointAuthSigningAlg = "RS256",
                    JwksUri = $"{jwksHost.Urls.Single()}/jwks",
                },
            ],
            Accounts = [Alice],
        });
        var request = new AuthorizationRequest("our-idp-jwt");
        var callback = await upstream.SignInAsync(_browser, request.Url(upstream), "alice", UpstreamAccount.DefaultPassword);
        var tokenEndpoint = $"{upstream.Issuer}/token";
        // RFC 7523 §3: iss and sub the client_id, aud the token endpoint, a unique jti, a short exp.
        var assertion = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "our-idp-jwt",
            Audience = tokenEndpoint,
            Claims = new Dictionary<string, object> { ["sub"] = "our-idp-jwt", ["jti"] = Guid.NewGuid().ToString("N") },
            Expires = DateTime.UtcNow.AddMinutes(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

        using var response = await _backChannel.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = QueryHelpers.ParseQuery(callback.Query)["code"]!,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = request.Verifier,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("id_token", out _));
        Assert.Equal(new UpstreamTokenRequest("our-idp-jwt", "private_key_jwt", "authorization_code"), Assert.Single(await upstream.WaitForTokenRequestsAsync(1)));
    }

    [Fact]
    public async Task StartAsync_Fails_WithTheUpstreamsReason_WhenAClientIsInvalid()
    {
        var config = new UpstreamProviderConfig
        {
            Clients = [new UpstreamClient("no-keys", [RedirectUri]) { ClientSecret = null, TokenEndpointAuthMethod = "private_key_jwt" }],
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => UpstreamOidcProvider.StartAsync(config));

        Assert.Contains("upstream-provider.mjs did not start listening", error.Message);
        Assert.Contains("jwks or jwks_uri is mandatory for this client", error.Message);
    }

    [Fact]
    public async Task ARestart_OnTheSamePort_KeepsTheIssuer()
    {
        var port = SmtpSink.UnusedPort();
        var config = new UpstreamProviderConfig { Port = port, Accounts = [Alice] };
        var first = await UpstreamOidcProvider.StartAsync(config);
        await first.DisposeAsync();

        // Disposal waited for the process to exit, so the port is free again at once.
        await using var second = await UpstreamOidcProvider.StartAsync(config);

        Assert.Equal(port, second.Port);
        Assert.Equal($"http://127.0.0.1:{port}", second.Issuer);
        Assert.Equal(second.Issuer, (await _backChannel.GetFromJsonAsync<JsonElement>(second.DiscoveryUrl)).GetProperty("issuer").GetString());
    }

    private async Task<(HttpStatusCode StatusCode, JsonElement Body)> ExchangeAsync(AuthorizationRequest request, Uri callback, bool basic)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = QueryHelpers.ParseQuery(callback.Query)["code"]!,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = request.Verifier,
        };
        using var message = new HttpRequestMessage(HttpMethod.Post, $"{_upstream.Issuer}/token");
        if (basic)
        {
            // RFC 6749 §2.3.1: form-urlencoded id and secret, then Basic.
            var credentials = $"{Uri.EscapeDataString(request.ClientId)}:{Uri.EscapeDataString(UpstreamClient.DefaultSecret)}";
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            form["client_id"] = request.ClientId;
            form["client_secret"] = UpstreamClient.DefaultSecret;
        }

        message.Content = new FormUrlEncodedContent(form);
        using var response = await _backChannel.SendAsync(message);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    // Signature, issuer, audience and lifetime checked against the upstream's published keys, as
    // the federation client will; the payload is then read as JSON to see the claims' types.
    private async Task<JsonElement> ValidateIdTokenAsync(string idToken, string clientId)
    {
        var jwks = new JsonWebKeySet(await _backChannel.GetStringAsync($"{_upstream.Issuer}/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = _upstream.Issuer,
            ValidAudience = clientId,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = ["RS256"],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload));
        return payload.RootElement.Clone();
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(item => item.GetString()!)];

    private sealed record AuthorizationRequest(string ClientId)
    {
        public string State { get; init; } = Random();

        public string Nonce { get; init; } = Random();

        public string Verifier { get; init; } = Random();

        public static string Random() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

        // RFC 7636 §4.2: S256 challenge = BASE64URL(SHA256(ASCII(code_verifier))).
        public Uri Url(UpstreamOidcProvider upstream) => new(QueryHelpers.AddQueryString($"{upstream.Issuer}/auth", new Dictionary<string, string?>
        {
            ["client_id"] = ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "openid email profile",
            ["state"] = State,
            ["nonce"] = Nonce,
            ["code_challenge"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier))),
            ["code_challenge_method"] = "S256",
        }));
    }
}
