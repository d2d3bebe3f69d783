using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Samples.Crm.OpenIdConnect;

/// <summary>RFC 6749 §5.1 / OIDC Core §3.1.3.3: a successful token response.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] int? ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("id_token")] string? IdToken,
    [property: JsonPropertyName("scope")] string? Scope);

/// <summary>Either tokens or the reason there are none (RFC 6749 §5.2 error, or a transport problem).</summary>
public sealed record TokenResult(TokenResponse? Tokens, string? Error)
{
    public bool Succeeded => Tokens is not null;
}

/// <summary>The back channel to the token endpoint, authenticating the client with client_secret_basic.</summary>
public sealed class TokenClient(IHttpClientFactory httpClients, IOptionsMonitor<RelyingPartyOptions> options, ILogger<TokenClient> logger)
{
    /// <summary>RFC 6749 §4.1.3 with RFC 7636 §4.5: redeem the code, proving possession of the PKCE verifier.</summary>
    public Task<TokenResult> RedeemCodeAsync(OpenIdConnectConfiguration provider, string code, string redirectUri, string codeVerifier, CancellationToken cancellationToken) =>
        PostAsync(provider, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            // §4.1.3: the same redirect_uri as in the authorization request.
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
        }, cancellationToken);

    /// <summary>RFC 6749 §6: new tokens for the same grant. The provider rotates refresh tokens, so the response carries a new one.</summary>
    public Task<TokenResult> RefreshAsync(OpenIdConnectConfiguration provider, string refreshToken, CancellationToken cancellationToken) =>
        PostAsync(provider, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }, cancellationToken);

    private async Task<TokenResult> PostAsync(OpenIdConnectConfiguration provider, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        var rp = options.Get(RelyingPartyDefaults.Scheme);
        using var request = new HttpRequestMessage(HttpMethod.Post, provider.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        // RFC 6749 §2.3.1: client id and secret are form-urlencoded *before* Base64, a step many
        // clients skip; it matters as soon as a secret contains ':' or non-ASCII characters.
        var credentials = Uri.EscapeDataString(rp.ClientId) + ":" + Uri.EscapeDataString(rp.ClientSecret);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        try
        {
            using var response = await httpClients.CreateClient(ProviderMetadata.HttpClientName).SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                // RFC 6749 §5.2: log the provider's description, show the user only that it failed.
                var error = TryReadError(body);
                logger.LogWarning("Token endpoint answered {Status}: {Error}", (int)response.StatusCode, error);
                return new TokenResult(null, error);
            }

            var tokens = JsonSerializer.Deserialize<TokenResponse>(body);
            // RFC 6749 §5.1 / RFC 6750: only bearer tokens are understood here.
            if (tokens?.AccessToken is null || !string.Equals(tokens.TokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                return new TokenResult(null, "the token response has no bearer access token");
            }

            return new TokenResult(tokens, null);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException)
        {
            logger.LogWarning(exception, "Token endpoint unreachable or its answer unreadable");
            return new TokenResult(null, "the token endpoint could not be reached");
        }
    }

    private static string TryReadError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var error = json.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
            var description = json.RootElement.TryGetProperty("error_description", out var d) ? d.GetString() : null;
            return description is null ? error ?? "unknown error" : $"{error}: {description}";
        }
        catch (JsonException)
        {
            return "unreadable error response";
        }
    }
}
