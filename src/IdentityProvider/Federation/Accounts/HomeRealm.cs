using IdentityProvider.Protocol.Interaction;

namespace IdentityProvider.Federation.Accounts;

/// <summary>
/// Home-realm discovery: an authorization request whose <c>login_hint</c> (OIDC Core §3.1.2.1) is an
/// email in a domain a provider lists goes straight to that provider, without the login page.
/// </summary>
public static class HomeRealm
{
    /// <returns>The provider to go to, or null to show the login page.</returns>
    /// <remarks>
    /// Not when the request says <c>prompt=select_account</c> (the user is to choose how to sign in)
    /// or <c>prompt=login</c> (a fresh sign-in is demanded, and an upstream may answer from its own
    /// session without asking anything): the login page then shows its buttons, the hinted
    /// provider's among them.
    /// </remarks>
    public static UpstreamProvider? Of(InteractionContext context, IReadOnlyList<UpstreamProvider> enabled)
    {
        if (context.Prompt.Contains("select_account") || context.Prompt.Contains("login")
            || context.LoginHint is not { Length: > 0 and <= 256 } hint)
        {
            return null;
        }

        var at = hint.LastIndexOf('@');
        if (at <= 0 || at == hint.Length - 1)
        {
            return null;
        }

        var domain = hint[(at + 1)..];
        return enabled.FirstOrDefault(p => p.Domains.Any(d => string.Equals(d, domain, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The provider's start, with the hint passed on for the upstream's own login page.</summary>
    public static string StartPath(UpstreamProvider provider, InteractionContext context) =>
        FederationPaths.Start(provider.Id, context.RequestId) + "&login_hint=" + Uri.EscapeDataString(context.LoginHint!);
}
