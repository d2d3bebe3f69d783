using System.Text.Json;
using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Endpoints;

/// <summary>
/// OpenID Provider Metadata (OIDC Discovery 1.0 §3, RFC 8414 §2, RFC 9207 §3, RP-Initiated
/// Logout 1.0 §2.1). Built once: it changes only with configuration.
/// </summary>
public sealed class DiscoveryDocument(IOptions<OpenIdServerOptions> server, IOptions<SigningKeyOptions> keys)
{
    private readonly Lazy<byte[]> _utf8 = new(() => Build(server.Value, keys.Value));

    public ReadOnlyMemory<byte> Utf8Json => _utf8.Value;

    private static byte[] Build(OpenIdServerOptions server, SigningKeyOptions keys)
    {
        var signingAlgorithms = keys.Algorithms.OrderBy(a => a == SigningAlgorithms.RS256 ? 0 : 1).ToList();
        string[] clientAuthMethods = [.. ClientAuthenticationMethods.All];
        string[] confidentialAuthMethods = [.. clientAuthMethods.Where(m => m != ClientAuthenticationMethods.None)];
        var document = new Dictionary<string, object>
        {
            // OIDC Discovery §4.3: exactly the configured issuer, byte for byte.
            ["issuer"] = server.Issuer,
            ["authorization_endpoint"] = server.UrlOf(server.AuthorizationEndpointPath),
            ["token_endpoint"] = server.TokenEndpoint,
            ["userinfo_endpoint"] = server.UrlOf(server.UserInfoEndpointPath),
            ["jwks_uri"] = server.UrlOf(server.JwksPath),
            ["end_session_endpoint"] = server.UrlOf(server.EndSessionEndpointPath),
            ["introspection_endpoint"] = server.UrlOf(server.IntrospectionEndpointPath),
            ["revocation_endpoint"] = server.UrlOf(server.RevocationEndpointPath),
            ["scopes_supported"] = server.ScopesSupported.Union(server.ScopeClaims.Keys).ToList(),
            // Only the code flow: implicit and hybrid leak tokens through the browser (OAuth 2.0 Security BCP §2.1.2).
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = new[] { "query", "form_post" },
            ["grant_types_supported"] = GrantTypes.All,
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = signingAlgorithms,
            ["token_endpoint_auth_methods_supported"] = clientAuthMethods,
            ["token_endpoint_auth_signing_alg_values_supported"] = new[] { "RS256", "ES256", "PS256" },
            ["introspection_endpoint_auth_methods_supported"] = confidentialAuthMethods,
            ["revocation_endpoint_auth_methods_supported"] = clientAuthMethods,
            // RFC 7636 §4.2: plain offers no protection against a stolen code; S256 only.
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["claims_supported"] = server.ClaimsSupported.Union(server.ScopeClaims.Values.SelectMany(c => c)).ToList(),
            ["claims_parameter_supported"] = false,
            ["request_parameter_supported"] = false,
            ["request_uri_parameter_supported"] = false,
            ["authorization_response_iss_parameter_supported"] = true,
            ["acr_values_supported"] = server.AcrValuesSupported,
            ["frontchannel_logout_supported"] = false,
            ["backchannel_logout_supported"] = false,
        };
        return JsonSerializer.SerializeToUtf8Bytes(document);
    }
}
