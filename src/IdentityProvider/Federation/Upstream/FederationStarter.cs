using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Federation.Upstream;

/// <summary>
/// <c>GET /federation/{id}/start</c>: sends the browser to the upstream's authorization endpoint
/// (OIDC Core §3.1.2.1) with a fresh state, nonce and PKCE challenge, remembered in the database.
/// </summary>
public sealed class FederationStarter(
    IUpstreamProviderDirectory providers,
    UpstreamMetadataCache metadata,
    FederationStateStore states,
    BrowserBinding binding,
    FederationFailureRecorder failures,
    IOptions<OpenIdServerOptions> server)
{
    private const int MaxRequestIdLength = 200;
    private const int MaxLoginHintLength = 256;

    public async Task<FederationOutcome> StartAsync(HttpContext http, string providerId, string? requestId, string? loginHint, CancellationToken cancellationToken)
    {
        var provider = await providers.FindAsync(providerId, cancellationToken);
        if (provider is not { Enabled: true })
        {
            return FederationOutcome.Fail(FederationFailure.UnknownProvider(provider is null ? "unknown provider" : "provider disabled") with { RequestId = requestId });
        }

        if (requestId is { Length: > MaxRequestIdLength } || loginHint is { Length: > MaxLoginHintLength })
        {
            return await failures.RecordAsync(provider.Id, FederationFailure.StateInvalid("oversized request or login_hint parameter", provider.DisplayName), cancellationToken);
        }

        UpstreamMetadata upstream;
        try
        {
            upstream = await metadata.GetMetadataAsync(provider.Issuer, cancellationToken);
        }
        catch (UpstreamUnavailableException ex)
        {
            return await failures.RecordAsync(provider.Id, FederationFailure.Unavailable(provider.DisplayName, "upstream unreachable: " + ex.Message) with { RequestId = requestId }, cancellationToken);
        }
        catch (UpstreamIssuerMismatchException ex)
        {
            return await failures.RecordAsync(provider.Id, FederationFailure.Unavailable(provider.DisplayName, "discovery issuer mismatch: " + ex.Message) with { RequestId = requestId }, cancellationToken);
        }

        // RFC 6749 §10.10 / RFC 7636 §7.1: 256 random bits each, far above the 128 required.
        var state = OpaqueTokens.New();
        var nonce = OpaqueTokens.New();
        var codeVerifier = OpaqueTokens.New();
        await states.SaveAsync(state, provider.Id, nonce, codeVerifier, string.IsNullOrEmpty(requestId) ? null : requestId, binding.Ensure(http), cancellationToken);

        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = provider.ClientId,
            ["redirect_uri"] = RedirectUri(server.Value.Issuer, provider.Id),
            ["scope"] = string.Join(' ', provider.Scopes),
            ["state"] = state,
            ["nonce"] = nonce,
            // RFC 7636 §4.2: S256 only; plain would hand the verifier to anyone who sees this URL.
            ["code_challenge"] = Challenge(codeVerifier),
            ["code_challenge_method"] = "S256",
        };
        if (!string.IsNullOrEmpty(loginHint))
        {
            parameters["login_hint"] = loginHint; // OIDC Core §3.1.2.1
        }

        return FederationOutcome.Redirect(QueryHelpers.AddQueryString(upstream.AuthorizationEndpoint.AbsoluteUri, parameters));
    }

    /// <summary>The redirect URI registered at the upstream: built from our issuer, never from request headers.</summary>
    public static string RedirectUri(string issuer, string providerId) => issuer.TrimEnd('/') + FederationPaths.Callback(providerId);

    // RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))
    internal static string Challenge(string codeVerifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier)));
}
