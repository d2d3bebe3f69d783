using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentityProvider.Federation.Providers;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Primitives;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Federation.Upstream;

/// <summary>The upstream's token response (RFC 6749 §5.1, OIDC Core §3.1.3.3), or its error code (§5.2).</summary>
public sealed record UpstreamTokens(string? IdToken, string? AccessToken, string? Error);

/// <summary>
/// Redeems the upstream's authorization code (RFC 6749 §4.1.3, OIDC Core §3.1.3.1) with the PKCE
/// verifier (RFC 7636 §4.5), authenticating as the provider's configured client (OIDC Core §9).
/// </summary>
public sealed class UpstreamTokenClient(
    IHttpClientFactory httpClients,
    IUpstreamProviderDirectory providers,
    SigningKeyRing signingKeys,
    IOptions<SigningKeyOptions> keyOptions,
    TimeProvider time)
{
    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromMinutes(1);

    /// <exception cref="UpstreamUnavailableException">The token endpoint could not be reached or answered nonsense.</exception>
    public async Task<UpstreamTokens> RedeemAsync(UpstreamProvider provider, UpstreamMetadata upstream, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, upstream.TokenEndpoint);
        switch (provider.ClientAuthentication)
        {
            case UpstreamClientAuthentication.ClientSecretBasic:
                // RFC 6749 §2.3.1: id and secret are each form-urlencoded before joining them with ':'.
                var secret = await providers.GetClientSecretAsync(provider.Id, cancellationToken) ?? "";
                var credentials = FormEncode(provider.ClientId) + ":" + FormEncode(secret);
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
                break;
            case UpstreamClientAuthentication.ClientSecretPost:
                form["client_id"] = provider.ClientId;
                form["client_secret"] = await providers.GetClientSecretAsync(provider.Id, cancellationToken) ?? "";
                break;
            case UpstreamClientAuthentication.PrivateKeyJwt:
                // RFC 7523 §2.2 / OIDC Core §9.
                form["client_id"] = provider.ClientId;
                form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
                form["client_assertion"] = await ClientAssertionAsync(provider.ClientId, upstream.TokenEndpoint, cancellationToken);
                break;
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var client = httpClients.CreateClient(UpstreamMetadataCache.HttpClientName);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new UpstreamUnavailableException($"the token endpoint answered {(int)response.StatusCode} without a JSON object");
            }

            if (!response.IsSuccessStatusCode || root.TryGetProperty("error", out _))
            {
                // RFC 6749 §5.2: only the error code is kept; descriptions may echo what we sent.
                var error = String(root, "error") ?? $"http_{(int)response.StatusCode}";
                return new UpstreamTokens(null, null, error.Length > 60 ? error[..60] : error);
            }

            return new UpstreamTokens(String(root, "id_token"), String(root, "access_token"), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamUnavailableException($"the token endpoint could not be read ({ex.GetType().Name})", ex);
        }
    }

    // RFC 7523 §3 / OIDC Core §9: iss and sub are our client id, aud the token endpoint, a fresh jti,
    // a short exp; signed with this provider's current ID-token key, published in our JWKS.
    private async Task<string> ClientAssertionAsync(string clientId, Uri tokenEndpoint, CancellationToken cancellationToken)
    {
        var credentials = await signingKeys.GetSigningCredentialsAsync(keyOptions.Value.IdTokenAlgorithm, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = tokenEndpoint.AbsoluteUri,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + AssertionLifetime,
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = OpaqueTokens.New() },
            SigningCredentials = credentials,
        });
    }

    private static string FormEncode(string value) => WebUtility.UrlEncode(value);

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
