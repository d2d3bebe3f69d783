using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;

namespace IdentityProvider.Federation.Accounts;

/// <summary>What the MFA policy is told about a sign-in that came through an upstream provider.</summary>
public sealed class FederationFacts(IUpstreamProviderDirectory directory)
{
    public static FederatedSignIn Of(UpstreamProvider provider, UpstreamIdentity identity) =>
        new(provider.DisplayName, provider.MfaRule, identity.ShowsMultipleFactors) { ProviderId = provider.Id };

    /// <summary>
    /// For a step-up from a session signed in through an upstream: the provider's current rule.
    /// Whether the upstream showed MFA is read from the session's amr, which says <c>mfa</c> for it
    /// (and otherwise only after a local factor, when the session needs no step-up for MFA anyway).
    /// </summary>
    /// <returns>Null for a local session, or when the provider no longer exists (the session then decides as a local one).</returns>
    public async Task<FederatedSignIn?> OfSessionAsync(AuthenticatedSession session, CancellationToken cancellationToken) =>
        session.IdentityProvider is { } providerId && await directory.FindAsync(providerId, cancellationToken) is { } provider
            ? new FederatedSignIn(provider.DisplayName, provider.MfaRule, session.Amr.Contains("mfa")) { ProviderId = provider.Id }
            : null;
}
