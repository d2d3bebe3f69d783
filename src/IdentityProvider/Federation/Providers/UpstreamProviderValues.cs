using IdentityProvider.Policy;

namespace IdentityProvider.Federation.Providers;

/// <summary>
/// The strings configuration, the database and the admin surfaces use for the provider's enums:
/// the RFC/OIDC names for client authentication (OIDC Core §9), kebab-case for the MFA rule.
/// </summary>
public static class UpstreamProviderValues
{
    public const string ClientSecretBasic = "client_secret_basic";
    public const string ClientSecretPost = "client_secret_post";
    public const string PrivateKeyJwt = "private_key_jwt";

    public const string Bypass = "bypass";
    public const string RequireLocal = "require-local";
    public const string TrustUpstreamAmr = "trust-upstream-amr";

    public static bool TryParseClientAuthentication(string? value, out UpstreamClientAuthentication result)
    {
        (var known, result) = value switch
        {
            ClientSecretBasic => (true, UpstreamClientAuthentication.ClientSecretBasic),
            ClientSecretPost => (true, UpstreamClientAuthentication.ClientSecretPost),
            PrivateKeyJwt => (true, UpstreamClientAuthentication.PrivateKeyJwt),
            _ => (false, UpstreamClientAuthentication.ClientSecretBasic),
        };
        return known;
    }

    public static string Name(UpstreamClientAuthentication value) => value switch
    {
        UpstreamClientAuthentication.ClientSecretPost => ClientSecretPost,
        UpstreamClientAuthentication.PrivateKeyJwt => PrivateKeyJwt,
        _ => ClientSecretBasic,
    };

    public static bool TryParseMfaRule(string? value, out FederatedMfaRule result)
    {
        (var known, result) = value switch
        {
            Bypass => (true, FederatedMfaRule.Bypass),
            RequireLocal => (true, FederatedMfaRule.RequireLocal),
            TrustUpstreamAmr => (true, FederatedMfaRule.TrustUpstreamAmr),
            _ => (false, FederatedMfaRule.Bypass),
        };
        return known;
    }

    public static string Name(FederatedMfaRule value) => value switch
    {
        FederatedMfaRule.RequireLocal => RequireLocal,
        FederatedMfaRule.TrustUpstreamAmr => TrustUpstreamAmr,
        _ => Bypass,
    };

    /// <summary>Whether this authentication method sends a client secret (RFC 6749 §2.3.1).</summary>
    public static bool UsesSecret(UpstreamClientAuthentication value) => value != UpstreamClientAuthentication.PrivateKeyJwt;
}
