namespace IdentityProvider.Authentication;

/// <summary>
/// The <c>acr</c> values this provider states, by what the sign-in proved. Relying parties ask for
/// them with <c>acr_values</c> (OIDC Core §3.1.2.1); discovery lists them (<c>acr_values_supported</c>).
/// </summary>
public static class AuthenticationContextClasses
{
    /// <summary>More than one factor (RFC 8176 <c>mfa</c> in the amr).</summary>
    public const string Mfa = "mfa";

    public static string? Of(IReadOnlyList<string> amr) => amr.Contains("mfa") ? Mfa : null;
}
