using IdentityProvider.Admin.Clients;
using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Pages.Admin.Clients;

/// <summary>The fields of the console's client form, as posted; lists are one entry per line (URIs) or space-separated (scopes).</summary>
public sealed class ClientForm
{
    public string ClientId { get; set; } = "";

    public string? DisplayName { get; set; }

    /// <summary>"confidential" or "public"; only when creating.</summary>
    public string Type { get; set; } = "confidential";

    public string RedirectUris { get; set; } = "";

    public string PostLogoutRedirectUris { get; set; } = "";

    public List<string> GrantTypes { get; set; } = [];

    public string Scopes { get; set; } = "openid";

    public bool RequirePkce { get; set; }

    public bool RequireConsent { get; set; }

    /// <summary>Empty for the users' own policy, otherwise mfa or phr.</summary>
    public string? RequiredAcr { get; set; }

    public static ClientForm From(ClientRegistration registration) => new()
    {
        ClientId = registration.ClientId,
        DisplayName = registration.DisplayName,
        Type = registration.Type == ClientType.Public ? "public" : "confidential",
        RedirectUris = string.Join('\n', registration.RedirectUris),
        PostLogoutRedirectUris = string.Join('\n', registration.PostLogoutRedirectUris),
        GrantTypes = [.. registration.GrantTypes],
        Scopes = string.Join(' ', registration.Scopes),
        RequirePkce = registration.RequirePkce,
        RequireConsent = registration.RequireConsent,
        RequiredAcr = registration.RequiredAcr,
    };

    public ClientRegistration ToRegistration() => new()
    {
        ClientId = ClientId.Trim(),
        DisplayName = string.IsNullOrWhiteSpace(DisplayName) ? null : DisplayName.Trim(),
        Type = Type == "public" ? ClientType.Public : ClientType.Confidential,
        RedirectUris = Lines(RedirectUris),
        PostLogoutRedirectUris = Lines(PostLogoutRedirectUris),
        GrantTypes = [.. GrantTypes.Where(g => !string.IsNullOrWhiteSpace(g)).Distinct(StringComparer.Ordinal)],
        Scopes = [.. (Scopes ?? "").Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)],
        RequirePkce = RequirePkce,
        RequireConsent = RequireConsent,
        RequiredAcr = string.IsNullOrWhiteSpace(RequiredAcr) ? null : RequiredAcr,
    };

    private static List<string> Lines(string? text) =>
        [.. (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
