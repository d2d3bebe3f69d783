using System.Net.Http.Headers;
using System.Text.Json;

namespace IdentityProvider.Federation.Upstream;

/// <summary>
/// Asks the upstream's userinfo endpoint (OIDC Core §5.3) for claims the ID token left out, such as
/// email or name. Its answer counts only if its <c>sub</c> is the ID token's (§5.3.4); otherwise,
/// or when the endpoint cannot be reached, the sign-in continues with the ID token's claims alone.
/// </summary>
public sealed partial class UpstreamUserInfoClient(IHttpClientFactory httpClients, ILogger<UpstreamUserInfoClient> logger)
{
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>?> GetAsync(UpstreamMetadata upstream, string accessToken, string subject, CancellationToken cancellationToken)
    {
        if (upstream.UserInfoEndpoint is null)
        {
            return null;
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, upstream.UserInfoEndpoint);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken); // RFC 6750 §2.1
            using var response = await httpClients.CreateClient(UpstreamMetadataCache.HttpClientName).SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "application/json")
            {
                LogUnusable(logger, upstream.Issuer, $"status {(int)response.StatusCode}, {response.Content.Headers.ContentType?.MediaType ?? "no content type"}");
                return null;
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var claims = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                claims[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => [property.Value.GetString()!],
                    JsonValueKind.True or JsonValueKind.False => [property.Value.GetBoolean() ? "true" : "false"],
                    JsonValueKind.Array => property.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList(),
                    _ => [],
                };
            }

            // OIDC Core §5.3.4: a response for another subject must not be used (token substitution).
            if (!claims.TryGetValue("sub", out var sub) || sub.Count != 1 || sub[0] != subject)
            {
                LogUnusable(logger, upstream.Issuer, "sub differs from the ID token's");
                return null;
            }

            return claims;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            LogUnusable(logger, upstream.Issuer, ex.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(8401, LogLevel.Warning, "Userinfo of {Issuer} not used: {Reason}")]
    private static partial void LogUnusable(ILogger logger, string issuer, string reason);
}
