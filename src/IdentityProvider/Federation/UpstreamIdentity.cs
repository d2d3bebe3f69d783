namespace IdentityProvider.Federation;

/// <summary>
/// Who the upstream says signed in, after its ID token passed every check (signature, <c>iss</c>,
/// <c>aud</c>, <c>exp</c>, <c>nonce</c>; OIDC Core §3.1.3.7) and the claims were mapped.
/// </summary>
/// <param name="Subject">The upstream <c>sub</c>; with <paramref name="ProviderId"/> the account's key.</param>
/// <param name="EmailVerified">The upstream's own <c>email_verified</c>; linking by email needs it true.</param>
/// <param name="Amr">The upstream ID token's <c>amr</c> (RFC 8176), empty when absent.</param>
/// <param name="Acr">The upstream ID token's <c>acr</c>, when present.</param>
/// <param name="IdToken">The raw upstream ID token, kept for the upstream's end-session <c>id_token_hint</c>.</param>
public sealed record UpstreamIdentity(
    string ProviderId,
    string Subject,
    string? Email,
    bool EmailVerified,
    string? Name,
    IReadOnlyList<string> Groups,
    IReadOnlyList<string> Amr,
    string? Acr,
    string IdToken)
{
    /// <summary>
    /// Whether the upstream reports more than one factor: <c>mfa</c> in amr, or two factor kinds,
    /// or an acr that names multi-factor assurance (the <c>trust-upstream-amr</c> rule reads this).
    /// </summary>
    public bool ShowsMultipleFactors { get; init; }
}

/// <summary>
/// Continues a sign-in once an upstream provider has authenticated the user: finds or provisions
/// the local account (or asks the user to link one), applies the provider's MFA rule through
/// the policy, and answers where the browser goes next.
/// </summary>
public interface IFederatedSignIn
{
    /// <param name="requestId">The pending authorization request the sign-in serves, if any.</param>
    /// <returns>The local path the callback redirects to (303).</returns>
    Task<string> ContinueAsync(HttpContext http, UpstreamIdentity identity, string? requestId, CancellationToken cancellationToken);
}
