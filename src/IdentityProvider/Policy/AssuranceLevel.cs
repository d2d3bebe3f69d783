namespace IdentityProvider.Policy;

/// <summary>How strongly a sign-in proved the user, in the order a policy can demand it.</summary>
public enum AssuranceLevel
{
    /// <summary>One factor (a password, or a passkey that did not verify the user).</summary>
    Single = 0,

    /// <summary>Two factors (RFC 8176 <c>mfa</c>).</summary>
    Mfa = 1,

    /// <summary>Two factors, one of them bound to this site's origin (a passkey), so a look-alike site cannot relay them.</summary>
    PhishingResistant = 2,
}

/// <summary>
/// The <c>acr</c> values this provider states and accepts (OIDC Core §2, §3.1.2.1), and the level
/// a sign-in's <c>amr</c> (RFC 8176) reaches.
/// </summary>
public static class AssuranceLevels
{
    public const string MfaAcr = "mfa";
    public const string PhishingResistantAcr = "phr";

    public static IReadOnlyList<string> SupportedAcrValues { get; } = [MfaAcr, PhishingResistantAcr];

    /// <summary>Null for a value this provider does not define: OIDC leaves unknown acr values to be ignored.</summary>
    public static AssuranceLevel? FromAcr(string? acr) => acr switch
    {
        MfaAcr => AssuranceLevel.Mfa,
        PhishingResistantAcr => AssuranceLevel.PhishingResistant,
        _ => null,
    };

    public static string? ToAcr(AssuranceLevel level) => level switch
    {
        AssuranceLevel.Mfa => MfaAcr,
        AssuranceLevel.PhishingResistant => PhishingResistantAcr,
        _ => null,
    };

    public static AssuranceLevel FromAmr(IReadOnlyCollection<string> amr)
    {
        if (!amr.Contains("mfa"))
        {
            return AssuranceLevel.Single;
        }

        // A passkey (a key held in hardware or software) answers only this site's challenge.
        return amr.Contains("hwk") || amr.Contains("swk") ? AssuranceLevel.PhishingResistant : AssuranceLevel.Mfa;
    }
}
