using IdentityProvider.Federation;
using IdentityProvider.Federation.Providers;
using IdentityProvider.Policy;

namespace IdentityProvider.Pages.Admin.Federation;

/// <summary>
/// The fields of the console's upstream provider form, as posted. Scopes and domains are separated
/// by spaces or line breaks. The client secret is write-only: the form never carries the stored one,
/// and a blank one on edit keeps it.
/// </summary>
public sealed class UpstreamProviderForm
{
    private static readonly char[] Separators = [' ', '\n', '\r', '\t'];

    public string Id { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public string Issuer { get; set; } = "";

    public string ClientId { get; set; } = "";

    public string? ClientSecret { get; set; }

    public string ClientAuthentication { get; set; } = UpstreamProviderValues.ClientSecretBasic;

    public string Scopes { get; set; } = string.Join(' ', ConfiguredProviderReader.DefaultScopes);

    public string SubjectClaim { get; set; } = "sub";

    public string EmailClaim { get; set; } = "email";

    public string NameClaim { get; set; } = "name";

    public string? GroupsClaim { get; set; }

    public string MfaRule { get; set; } = UpstreamProviderValues.Bypass;

    public bool ProvisionUsers { get; set; }

    public bool LinkByEmail { get; set; }

    public string Domains { get; set; } = "";

    public bool Enabled { get; set; }

    public static UpstreamProviderForm From(UpstreamProvider provider) => new()
    {
        Id = provider.Id,
        DisplayName = provider.DisplayName,
        Issuer = provider.Issuer,
        ClientId = provider.ClientId,
        ClientAuthentication = UpstreamProviderValues.Name(provider.ClientAuthentication),
        Scopes = string.Join(' ', provider.Scopes),
        SubjectClaim = provider.Claims.Subject,
        EmailClaim = provider.Claims.Email,
        NameClaim = provider.Claims.Name,
        GroupsClaim = provider.Claims.Groups,
        MfaRule = UpstreamProviderValues.Name(provider.MfaRule),
        ProvisionUsers = provider.ProvisionUsers,
        LinkByEmail = provider.LinkByEmail,
        Domains = string.Join('\n', provider.Domains),
        Enabled = provider.Enabled,
    };

    /// <summary>The provider the form describes, or the fields whose values are not one of the choices offered.</summary>
    public UpstreamProvider ToProvider(List<(string Field, string Message)> problems)
    {
        if (!UpstreamProviderValues.TryParseClientAuthentication(ClientAuthentication, out var authentication))
        {
            problems.Add(("clientAuthentication", "Choose how this provider authenticates at the upstream."));
        }

        if (!UpstreamProviderValues.TryParseMfaRule(MfaRule, out var rule))
        {
            problems.Add(("mfaRule", "Choose what an upstream sign-in counts for."));
        }

        return new UpstreamProvider(
            (Id ?? "").Trim(),
            (DisplayName ?? "").Trim(),
            (Issuer ?? "").Trim(),
            (ClientId ?? "").Trim(),
            authentication,
            Split(Scopes),
            new UpstreamClaimMapping((SubjectClaim ?? "").Trim(), (EmailClaim ?? "").Trim(), (NameClaim ?? "").Trim(),
                string.IsNullOrWhiteSpace(GroupsClaim) ? null : GroupsClaim.Trim()),
            rule,
            ProvisionUsers,
            LinkByEmail,
            Split(Domains),
            Enabled);
    }

    /// <summary>A new secret, or null when the field was left blank.</summary>
    public string? NewClientSecret => string.IsNullOrEmpty(ClientSecret) ? null : ClientSecret;

    private static List<string> Split(string? text) =>
        [.. (text ?? "").Split(Separators, StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];
}
