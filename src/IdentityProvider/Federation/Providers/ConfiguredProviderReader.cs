using IdentityProvider.Policy;

namespace IdentityProvider.Federation.Providers;

/// <summary>Turns a <c>Federation:Providers</c> entry into an <see cref="UpstreamProvider"/>, naming what is wrong with it.</summary>
public static class ConfiguredProviderReader
{
    public static readonly IReadOnlyList<string> DefaultScopes = ["openid", "profile", "email"];

    public static UpstreamProvider Read(ConfiguredUpstreamProvider entry, List<string> problems)
    {
        if (!UpstreamProviderValues.TryParseClientAuthentication(entry.ClientAuthentication, out var authentication))
        {
            problems.Add($"ClientAuthentication '{entry.ClientAuthentication}' is not one of {UpstreamProviderValues.ClientSecretBasic}, {UpstreamProviderValues.ClientSecretPost}, {UpstreamProviderValues.PrivateKeyJwt}.");
        }

        if (!UpstreamProviderValues.TryParseMfaRule(entry.MfaRule, out var rule))
        {
            problems.Add($"MfaRule '{entry.MfaRule}' is not one of {UpstreamProviderValues.Bypass}, {UpstreamProviderValues.RequireLocal}, {UpstreamProviderValues.TrustUpstreamAmr}.");
        }

        return new UpstreamProvider(
            entry.Id,
            entry.DisplayName,
            entry.Issuer,
            entry.ClientId,
            authentication,
            entry.Scopes is { Count: > 0 } scopes ? scopes : DefaultScopes,
            new UpstreamClaimMapping(entry.Claims.Subject, entry.Claims.Email, entry.Claims.Name, string.IsNullOrWhiteSpace(entry.Claims.Groups) ? null : entry.Claims.Groups),
            rule,
            entry.ProvisionUsers,
            entry.LinkByEmail,
            entry.Domains ?? [],
            entry.Enabled);
    }
}
