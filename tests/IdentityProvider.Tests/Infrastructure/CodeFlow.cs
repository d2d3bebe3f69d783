using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// Plays a relying party and its user's browser through the code flow against the in-process
/// server: builds the authorization request with PKCE, follows the redirects through the test
/// login, and exchanges the code.
/// </summary>
public sealed class CodeFlow(HttpClient browser, string clientId, string redirectUri, string? clientSecret = null)
{
    public string Verifier { get; } = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public string Challenge => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));

    public string State { get; } = Guid.NewGuid().ToString("N");

    public string Nonce { get; } = Guid.NewGuid().ToString("N");

    public string AuthorizeUrl(string scope = "openid profile email offline_access", params (string Name, string? Value)[] overrides)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["state"] = State,
            ["nonce"] = Nonce,
            ["code_challenge"] = Challenge,
            ["code_challenge_method"] = "S256",
        };
        foreach (var (name, value) in overrides)
        {
            parameters[name] = value;
        }

        return QueryHelpers.AddQueryString("/connect/authorize", parameters.Where(p => p.Value is not null));
    }

    /// <summary>Authorize, sign in as <paramref name="userId"/> on the test login, come back with a code.</summary>
    public async Task<string> SignInAsync(string userId, string scope = "openid profile email offline_access", string amr = "pwd", params (string, string?)[] overrides)
    {
        var authorize = await browser.GetAsync(AuthorizeUrl(scope, overrides));
        var location = authorize.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"authorize answered {(int)authorize.StatusCode} without a redirect");
        if (location.StartsWith(TestLoginStartupFilter.Path, StringComparison.Ordinal))
        {
            var login = await browser.GetAsync(location + "&user=" + Uri.EscapeDataString(userId) + "&amr=" + Uri.EscapeDataString(amr));
            var resume = await browser.GetAsync(login.Headers.Location!.OriginalString);
            location = resume.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"resume answered {(int)resume.StatusCode}");
        }

        return CodeFrom(location);
    }

    public string CodeFrom(string location)
    {
        Assert.StartsWith(redirectUri, location, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(new Uri(location).Query);
        Assert.Equal(State, query["state"].ToString());
        return query["code"].ToString();
    }

    public Task<HttpResponseMessage> RedeemAsync(string code, string? verifier = null, string? redirect = null) =>
        TokenAsync(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect ?? redirectUri), ("code_verifier", verifier ?? Verifier));

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken, string? scope = null) =>
        TokenAsync(("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("scope", scope));

    public async Task<HttpResponseMessage> TokenAsync(params (string Name, string? Value)[] parameters)
    {
        var form = parameters.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Name, p.Value!)).ToList();
        if (clientSecret is null)
        {
            form.Add(new("client_id", clientId));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        if (clientSecret is not null)
        {
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
                Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(clientSecret))));
        }

        return await browser.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public static async Task<string?> ErrorOf(HttpResponseMessage response)
    {
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("error").GetString();
    }
}
