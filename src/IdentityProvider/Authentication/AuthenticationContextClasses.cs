using IdentityProvider.Policy;

namespace IdentityProvider.Authentication;

/// <summary>
/// The <c>acr</c> a session states, by what the sign-in proved: <c>mfa</c> for two factors,
/// <c>phr</c> when one of them was a passkey. Relying parties ask for them with <c>acr_values</c>
/// (OIDC Core §3.1.2.1); discovery lists them (<c>acr_values_supported</c>).
/// </summary>
public static class AuthenticationContextClasses
{
    public const string Mfa = AssuranceLevels.MfaAcr;

    public static string? Of(IReadOnlyList<string> amr) => AssuranceLevels.ToAcr(AssuranceLevels.FromAmr(amr));
}
