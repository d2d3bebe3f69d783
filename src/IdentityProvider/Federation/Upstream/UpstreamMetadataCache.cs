using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Federation.Upstream;

/// <summary>
/// Each upstream's discovery document and JWKS, fetched on first use and kept in this node's memory
/// for <see cref="FederationOptions.MetadataLifetime"/>. The JWKS is fetched again early when an ID
/// token names a key we do not know (the upstream rotated), but at most once per
/// <see cref="FederationOptions.JwksRefreshInterval"/> per upstream.
/// </summary>
public sealed class UpstreamMetadataCache(IHttpClientFactory httpClients, TimeProvider time, IOptions<FederationOptions> options)
{
    public const string HttpClientName = "Federation";

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<UpstreamMetadata> GetMetadataAsync(string issuer, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(issuer, _ => new Entry());
        if (entry.Metadata is { } cached && cached.ExpiresAt > time.GetUtcNow())
        {
            return cached.Metadata;
        }

        await entry.Lock.WaitAsync(cancellationToken);
        try
        {
            if (entry.Metadata is { } fetched && fetched.ExpiresAt > time.GetUtcNow())
            {
                return fetched.Metadata;
            }

            // Failures are not cached: the next sign-in asks again (each bounded by HttpTimeout).
            var metadata = await FetchMetadataAsync(issuer, cancellationToken);
            entry.Metadata = new CachedMetadata(metadata, time.GetUtcNow() + options.Value.MetadataLifetime);
            return metadata;
        }
        finally
        {
            entry.Lock.Release();
        }
    }

    /// <summary>The upstream's signing keys; with <paramref name="unknownKeyId"/>, fetched again if that key is missing and the refresh interval allows.</summary>
    public async Task<IReadOnlyList<SecurityKey>> GetSigningKeysAsync(UpstreamMetadata metadata, string? unknownKeyId, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(metadata.Issuer, _ => new Entry());
        await entry.Lock.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var stale = entry.Keys is null || entry.KeysExpireAt <= now;
            var missing = unknownKeyId is not null && entry.Keys is not null && entry.Keys.All(k => k.KeyId != unknownKeyId);
            if (stale || (missing && entry.KeysFetchedAt + options.Value.JwksRefreshInterval <= now))
            {
                entry.Keys = await FetchKeysAsync(metadata.JwksUri, cancellationToken);
                entry.KeysFetchedAt = now;
                entry.KeysExpireAt = now + options.Value.MetadataLifetime;
            }

            return entry.Keys!;
        }
        finally
        {
            entry.Lock.Release();
        }
    }

    private async Task<UpstreamMetadata> FetchMetadataAsync(string issuer, CancellationToken cancellationToken)
    {
        // OIDC Discovery §4: the issuer with any trailing '/' removed, then /.well-known/openid-configuration.
        var address = new Uri(issuer.TrimEnd('/') + "/.well-known/openid-configuration");
        using var document = await GetJsonAsync(address, cancellationToken);
        var root = document.RootElement;

        // OIDC Discovery §4.3: the issuer in the document must be identical to the one we asked;
        // otherwise another provider could stand in for this one (mix-up, RFC 9207 §1).
        var stated = String(root, "issuer");
        if (!string.Equals(stated, issuer, StringComparison.Ordinal))
        {
            throw new UpstreamIssuerMismatchException($"the discovery document of {issuer} names the issuer '{stated}'");
        }

        var authorization = Endpoint(root, "authorization_endpoint", required: true)!;
        var token = Endpoint(root, "token_endpoint", required: true)!;
        var jwks = Endpoint(root, "jwks_uri", required: true)!;
        var userInfo = Endpoint(root, "userinfo_endpoint", required: false);
        // Only for offering the upstream's sign-out: an unusable one is left out rather than
        // stopping sign-in, which does not need it.
        var endSession = String(root, "end_session_endpoint") is { } endSessionValue && IsUsableEndpoint(endSessionValue) ? new Uri(endSessionValue) : null;
        var algorithms = root.TryGetProperty("id_token_signing_alg_values_supported", out var algs) && algs.ValueKind == JsonValueKind.Array
            ? algs.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList()
            : ["RS256"]; // OIDC Discovery §3: the field is required; RS256 is the one every OP must support.
        var issSupported = root.TryGetProperty("authorization_response_iss_parameter_supported", out var iss) && iss.ValueKind == JsonValueKind.True;
        return new UpstreamMetadata(issuer, authorization, token, userInfo, jwks, algorithms, issSupported, endSession);
    }

    private async Task<IReadOnlyList<SecurityKey>> FetchKeysAsync(Uri jwksUri, CancellationToken cancellationToken)
    {
        using var document = await GetJsonAsync(jwksUri, cancellationToken);
        try
        {
            // Keys for encryption (use=enc) are not signing keys; JsonWebKeySet leaves them out.
            return new JsonWebKeySet(document.RootElement.GetRawText()).GetSigningKeys().ToList();
        }
        catch (ArgumentException ex)
        {
            throw new UpstreamUnavailableException($"the JWKS at {jwksUri} is not a JWK set", ex);
        }
    }

    private async Task<JsonDocument> GetJsonAsync(Uri address, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(HttpClientName);
        try
        {
            using var response = await client.GetAsync(address, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new UpstreamUnavailableException($"{address} answered {(int)response.StatusCode}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new UpstreamUnavailableException($"{address} did not answer a JSON object");
            }

            return document;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamUnavailableException($"{address} could not be read ({ex.GetType().Name})", ex);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Uri? Endpoint(JsonElement root, string name, bool required)
    {
        var value = String(root, name);
        if (value is null && !required)
        {
            return null;
        }

        // Endpoints are used for credentials and codes: https, or http on loopback as for the issuer.
        if (!Providers.UpstreamProviderRules.IsValidIssuer(value) && !IsHttpsWithQuery(value))
        {
            throw new UpstreamUnavailableException($"the discovery document has no usable {name}");
        }

        return new Uri(value!);
    }

    private static bool IsUsableEndpoint(string value) =>
        Providers.UpstreamProviderRules.IsValidIssuer(value) || IsHttpsWithQuery(value);

    private static bool IsHttpsWithQuery(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && string.IsNullOrEmpty(uri.Fragment);

    private sealed record CachedMetadata(UpstreamMetadata Metadata, DateTimeOffset ExpiresAt);

    private sealed class Entry
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        /// <summary>Replaced as a whole, so the lock-free read above never sees a torn pair.</summary>
        public CachedMetadata? Metadata { get; set; }

        public IReadOnlyList<SecurityKey>? Keys { get; set; }

        public DateTimeOffset KeysFetchedAt { get; set; }

        public DateTimeOffset KeysExpireAt { get; set; }
    }
}
