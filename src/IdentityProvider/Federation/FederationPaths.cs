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

    /// <summary>
    /// The post_logout_redirect_uri registered at the upstream (OIDC RP-Initiated Logout 1.0 §2):
    /// where the upstream sends the user back after "Also sign out of …". It only shows a page.
    /// </summary>
    public static string SignedOut(string providerId) => $"/federation/{providerId}/signed-out";
}
