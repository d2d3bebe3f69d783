namespace IdentityProvider.Federation;

/// <summary>Where federated sign-in lives in this provider's URL space.</summary>
public static class FederationPaths
{
    /// <summary>Starts a sign-in at the upstream (GET; the login page's "Sign in with …" buttons link here).</summary>
    public static string Start(string providerId, string? requestId) =>
        requestId is null ? $"/federation/{providerId}/start" : $"/federation/{providerId}/start?request={Uri.EscapeDataString(requestId)}";

    /// <summary>
    /// The redirect URI registered at the upstream: one per provider, so a response can never be
    /// taken for another provider's (mix-up, RFC 9207 §1).
    /// </summary>
    public static string Callback(string providerId) => $"/federation/{providerId}/callback";
}
