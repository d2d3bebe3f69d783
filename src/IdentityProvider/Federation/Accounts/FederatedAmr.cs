using IdentityProvider.Policy;

namespace IdentityProvider.Federation.Accounts;

/// <summary>The authentication methods (RFC 8176) a sign-in through an upstream provider states here.</summary>
public static class FederatedAmr
{
    /// <summary>RFC 8176 §2: "Federated authentication".</summary>
    public const string Federated = "fed";

    // RFC 8176 §2 registered values an upstream may state that keep their meaning here. hwk and swk
    // are left out on purpose: here they mean a passkey bound to this provider's own origin
    // (acr phr), which no upstream statement can show.
    private static readonly HashSet<string> Passed = new(StringComparer.Ordinal)
    {
        "face", "fpt", "geo", "iris", "kba", "mca", "otp", "pin", "pop", "pwd", "rba", "retina", "sc", "sms", "tel", "user", "vbm", "wia",
    };

    /// <summary>
    /// <c>fed</c>; and, under <see cref="FederatedMfaRule.TrustUpstreamAmr"/> when the upstream showed
    /// more than one factor, the upstream's own values and <c>mfa</c>, because that rule is the
    /// operator's statement that the upstream's factors count here.
    /// </summary>
    public static IReadOnlyList<string> Of(UpstreamProvider provider, UpstreamIdentity identity) =>
        provider.MfaRule == FederatedMfaRule.TrustUpstreamAmr && identity.ShowsMultipleFactors
            ? [Federated, .. identity.Amr.Where(Passed.Contains).Distinct(StringComparer.Ordinal), "mfa"]
            : [Federated];
}
