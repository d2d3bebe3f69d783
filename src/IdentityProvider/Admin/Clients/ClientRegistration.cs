using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Admin.Clients;

/// <summary>
/// What an operator says about a client: from the command line, the configuration file, the console and
/// the admin API. Also the shape of each entry under <c>Clients</c> in configuration.
/// </summary>
public sealed class ClientRegistration
{
    public string ClientId { get; set; } = "";

    public string? DisplayName { get; set; }

    public ClientType Type { get; set; } = ClientType.Confidential;

    /// <summary>Defaults to <c>client_secret_basic</c> for confidential clients and <c>none</c> for public ones.</summary>
    public string? TokenEndpointAuthMethod { get; set; }

    public List<string> RedirectUris { get; set; } = [];

    public List<string> PostLogoutRedirectUris { get; set; } = [];

    public List<string> GrantTypes { get; set; } = [];

    public List<string> Scopes { get; set; } = [];

    public bool RequirePkce { get; set; } = true;

    public bool RequireConsent { get; set; }

    /// <summary>The acr every sign-in for the client must reach: <c>mfa</c> or <c>phr</c> (a passkey); null for the users' own policy.</summary>
    public string? RequiredAcr { get; set; }

    public string? Jwks { get; set; }

    /// <summary>
    /// Configuration only: a fixed secret (for development and samples), or its SHA-256 in hex
    /// (<see cref="SecretSha256"/>) so production configuration holds no usable secret.
    /// </summary>
    public string? Secret { get; set; }

    public string? SecretSha256 { get; set; }

    public string AuthMethod =>
        TokenEndpointAuthMethod ?? (Type == ClientType.Public ? ClientAuthenticationMethods.None : ClientAuthenticationMethods.ClientSecretBasic);

    public bool UsesSecret => AuthMethod is ClientAuthenticationMethods.ClientSecretBasic or ClientAuthenticationMethods.ClientSecretPost;
}
