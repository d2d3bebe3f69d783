using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Samples.Tests;

/// <summary>The API accepts only the provider's access tokens, and only with the deals.read scope.</summary>
public sealed class ApiAccessTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    [Fact]
    public async Task Rejects_WhenTheTokenIsMissing()
    {
        using var api = new HttpClient { BaseAddress = new Uri(samples.Api.BaseUrl) };

        var response = await api.GetAsync("/deals");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsNotAJwtOfTheProvider()
    {
        var response = await GetDealsAsync("not-a-token");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsChanged()
    {
        var token = await ClientCredentialsTokenAsync(SamplesFixture.ServiceClientId, SamplesFixture.ServiceClientSecret, "reports.read");
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1])));
        var forged = parts[0] + "." + Base64Url(payload.Replace("reports.read", "deals.read", StringComparison.Ordinal)) + "." + parts[2];

        var response = await GetDealsAsync(forged);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Forbids_WhenTheTokenLacksTheDealsReadScope()
    {
        var token = await ClientCredentialsTokenAsync(SamplesFixture.ServiceClientId, SamplesFixture.ServiceClientSecret, "reports.read");

        var response = await GetDealsAsync(token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private async Task<HttpResponseMessage> GetDealsAsync(string token)
    {
        using var api = new HttpClient { BaseAddress = new Uri(samples.Api.BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await api.GetAsync("/deals");
    }

    private async Task<string> ClientCredentialsTokenAsync(string clientId, string secret, string scope)
    {
        using var idp = samples.Idp.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = scope }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + secret)));
        var response = await idp.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    private static string Pad(string base64Url)
    {
        var base64 = base64Url.Replace('-', '+').Replace('_', '/');
        return base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
    }

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
