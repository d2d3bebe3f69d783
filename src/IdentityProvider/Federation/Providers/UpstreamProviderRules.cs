using System.Text.RegularExpressions;

namespace IdentityProvider.Federation.Providers;

/// <summary>
/// What makes an upstream provider definition usable, the same for configuration (checked at
/// start) and for providers an operator adds (checked by <see cref="UpstreamProviderManager"/>).
/// Each problem is a sentence an operator can act on.
/// </summary>
public static partial class UpstreamProviderRules
{
    public const int MaxIdLength = 40;
    public const int MaxDisplayNameLength = 200;
    public const int MaxIssuerLength = 500;
    public const int MaxClientIdLength = 200;
    public const int MaxClientSecretLength = 1000;

    public static IReadOnlyList<string> Check(UpstreamProvider provider, string? clientSecret)
    {
        var problems = new List<string>();
        if (!IdPattern().IsMatch(provider.Id ?? ""))
        {
            problems.Add($"Id must be 1 to {MaxIdLength} characters of a-z, 0-9 and '-' (it is part of the callback URL).");
        }

        if (string.IsNullOrWhiteSpace(provider.DisplayName) || provider.DisplayName.Length > MaxDisplayNameLength)
        {
            problems.Add($"DisplayName is required and at most {MaxDisplayNameLength} characters.");
        }

        if (!IsValidIssuer(provider.Issuer))
        {
            problems.Add("Issuer must be an absolute https URL without query or fragment (plain http only for a loopback host such as localhost or 127.0.0.1).");
        }

        if (string.IsNullOrWhiteSpace(provider.ClientId) || provider.ClientId.Length > MaxClientIdLength)
        {
            problems.Add($"ClientId is required and at most {MaxClientIdLength} characters.");
        }

        if (UpstreamProviderValues.UsesSecret(provider.ClientAuthentication)
            && (string.IsNullOrEmpty(clientSecret) || clientSecret.Length > MaxClientSecretLength))
        {
            problems.Add($"ClientSecret is required for {UpstreamProviderValues.Name(provider.ClientAuthentication)} (at most {MaxClientSecretLength} characters).");
        }

        // OIDC Core §3.1.2.1: without the openid scope the request is plain OAuth and no ID token comes back.
        if (provider.Scopes is null || !provider.Scopes.Contains("openid", StringComparer.Ordinal))
        {
            problems.Add("Scopes must include openid.");
        }
        else if (provider.Scopes.Any(scope => !ScopePattern().IsMatch(scope)))
        {
            problems.Add("Scopes may not be empty or contain spaces, quotes or backslashes (RFC 6749 §3.3).");
        }

        if (provider.Claims is null || new[] { provider.Claims.Subject, provider.Claims.Email, provider.Claims.Name }.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("Claims: Subject, Email and Name must name a claim.");
        }

        if (provider.Domains is not null && provider.Domains.Any(domain => !DomainPattern().IsMatch(domain)))
        {
            problems.Add("Domains must be email domains such as example.com (no '@', no spaces).");
        }

        return problems;
    }

    /// <summary>The input fields the problems are about, in the admin API's camelCase.</summary>
    public static readonly IReadOnlyList<string> Fields = ["id", "displayName", "issuer", "clientId", "clientSecret", "scopes", "claims", "domains"];

    /// <summary>
    /// The field a problem from <see cref="Check"/> (or the manager's "already used") is about, so the
    /// console and the admin API can show it next to its input. Every problem sentence starts with its
    /// field's name (UpstreamProvidersApiTests holds every rule to that); anything else is reported against the form as a whole ("").
    /// </summary>
    public static string FieldOf(string problem)
    {
        var end = problem.IndexOfAny([' ', ':']);
        var name = end < 0 ? problem : problem[..end];
        return Fields.FirstOrDefault(f => string.Equals(f, name, StringComparison.OrdinalIgnoreCase)) ?? "";
    }

    /// <summary>https, or http on a loopback host for development; no query or fragment (OIDC Discovery §2).</summary>
    public static bool IsValidIssuer(string? issuer) =>
        issuer is { Length: > 0 and <= MaxIssuerLength }
        && Uri.TryCreate(issuer, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && uri.UserInfo.Length == 0
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    [GeneratedRegex("^[a-z0-9-]{1,40}$")]
    private static partial Regex IdPattern();

    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    [GeneratedRegex(@"^[\x21\x23-\x5B\x5D-\x7E]+$")]
    private static partial Regex ScopePattern();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    private static partial Regex DomainPattern();
}
