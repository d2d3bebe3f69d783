namespace IdentityProvider.Federation.Upstream;

/// <summary>The parts of an upstream's discovery document (OIDC Discovery §3) the sign-in uses.</summary>
/// <param name="IdTokenSigningAlgorithms"><c>id_token_signing_alg_values_supported</c>: the only algorithms its ID tokens may use.</param>
/// <param name="IssParameterSupported">RFC 9207 §3: the upstream puts <c>iss</c> in every authorization response.</param>
/// <param name="EndSessionEndpoint">OIDC RP-Initiated Logout 1.0 §2.1: where a user can also sign out of the upstream; null when it has none.</param>
public sealed record UpstreamMetadata(
    string Issuer,
    Uri AuthorizationEndpoint,
    Uri TokenEndpoint,
    Uri? UserInfoEndpoint,
    Uri JwksUri,
    IReadOnlyList<string> IdTokenSigningAlgorithms,
    bool IssParameterSupported,
    Uri? EndSessionEndpoint = null);

/// <summary>The upstream could not be asked (unreachable, timed out, or answered nonsense); the message is for the log.</summary>
public sealed class UpstreamUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The upstream's discovery document names another issuer than configured (OIDC Discovery §4.3).</summary>
public sealed class UpstreamIssuerMismatchException(string message) : Exception(message);
