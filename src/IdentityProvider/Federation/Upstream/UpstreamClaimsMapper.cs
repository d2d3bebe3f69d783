using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityProvider.Federation.Upstream;

/// <summary>
/// Turns a verified upstream ID token (and userinfo claims, when fetched) into an
/// <see cref="UpstreamIdentity"/> by the provider's <see cref="UpstreamClaimMapping"/>.
/// </summary>
public static class UpstreamClaimsMapper
{
    // RFC 8176 §2: the amr values by the kind of factor they prove.
    private static readonly Dictionary<string, string> FactorKinds = new(StringComparer.Ordinal)
    {
        ["pwd"] = "knowledge", ["pin"] = "knowledge", ["kba"] = "knowledge",
        ["hwk"] = "possession", ["swk"] = "possession", ["otp"] = "possession", ["sms"] = "possession",
        ["tel"] = "possession", ["sc"] = "possession",
        ["fpt"] = "inherence", ["face"] = "inherence", ["iris"] = "inherence", ["retina"] = "inherence", ["vbm"] = "inherence",
    };

    // acr values that name multi-factor assurance: this product's own, and OpenID PAPE's policies.
    private static readonly HashSet<string> MultiFactorAcrs = new(StringComparer.Ordinal)
    {
        "mfa", "phr", "phrh",
        "http://schemas.openid.net/pape/policies/2007/06/multi-factor",
        "http://schemas.openid.net/pape/policies/2007/06/multi-factor-physical",
    };

    /// <param name="userInfo">Claims from the userinfo endpoint whose sub matched (OIDC Core §5.3.4); they fill only what the ID token lacks.</param>
    public static UpstreamIdentity Map(UpstreamProvider provider, JsonWebToken token, string idToken, IReadOnlyDictionary<string, IReadOnlyList<string>>? userInfo)
    {
        var mapping = provider.Claims;
        string? First(string claim) =>
            Values(token, claim).FirstOrDefault() ?? (userInfo?.TryGetValue(claim, out var values) == true ? values.FirstOrDefault() : null);

        var amr = Values(token, "amr").ToList();
        var acr = Values(token, "acr").FirstOrDefault();
        // Groups come as a string or an array; from userinfo only when the ID token has none.
        var groups = mapping.Groups is null
            ? []
            : Values(token, mapping.Groups).ToList() is { Count: > 0 } fromToken
                ? fromToken
                : userInfo?.GetValueOrDefault(mapping.Groups)?.ToList() ?? [];

        // email_verified belongs to the address it came with: from userinfo only when the email did too.
        var emailFromToken = Values(token, mapping.Email).FirstOrDefault();
        var verifiedSource = emailFromToken is not null ? Values(token, "email_verified").FirstOrDefault() : userInfo?.GetValueOrDefault("email_verified")?.FirstOrDefault();

        return new UpstreamIdentity(
            provider.Id,
            // The subject is the account's key: from the verified ID token only.
            Values(token, mapping.Subject).FirstOrDefault() ?? token.Subject,
            First(mapping.Email),
            bool.TryParse(verifiedSource, out var verified) && verified,
            First(mapping.Name),
            groups.Distinct(StringComparer.Ordinal).ToList(),
            amr,
            acr,
            idToken)
        {
            ShowsMultipleFactors = ShowsMultipleFactors(amr, acr),
        };
    }

    /// <summary><c>mfa</c> in amr, two different factor kinds in amr (RFC 8176), or a multi-factor acr.</summary>
    public static bool ShowsMultipleFactors(IReadOnlyCollection<string> amr, string? acr) =>
        amr.Contains("mfa")
        || amr.Select(value => FactorKinds.GetValueOrDefault(value)).Where(kind => kind is not null).Distinct().Count() >= 2
        || (acr is not null && MultiFactorAcrs.Contains(acr));

    // A claim that is a JSON array arrives as one claim per element; a string as one.
    private static IEnumerable<string> Values(JsonWebToken token, string claim) =>
        token.Claims.Where(c => c.Type == claim).Select(c => c.Value).Where(v => !string.IsNullOrEmpty(v));
}
