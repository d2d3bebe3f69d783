namespace IdentityProvider.Federation.Accounts;

/// <summary>Why an upstream sign-in ends on the refusal page; each has one text there.</summary>
public enum FederationRefusal
{
    /// <summary>
    /// The same generic text as a failed password sign-in (disabled or locked user, a provider that
    /// is unknown or switched off), so nothing tells which.
    /// </summary>
    Failed,

    /// <summary>
    /// The upstream account has no account here and none is made or linked automatically: no
    /// provisioning, or a local user has the email but linking by it is not allowed. One text for
    /// both, so the page does not tell whether a local account with that email exists.
    /// </summary>
    NotConnected,

    /// <summary>The sign-in waited too long, was cancelled, or was already completed (a replay).</summary>
    Expired,
}

/// <summary>Where a refused upstream sign-in is shown.</summary>
public static class FederationRefusals
{
    public const string Path = "/account/federation/refused";

    public static string PathFor(FederationRefusal refusal, string? requestId) =>
        Path + "?reason=" + refusal.ToString().ToLowerInvariant() + (requestId is null ? "" : "&request=" + Uri.EscapeDataString(requestId));
}
