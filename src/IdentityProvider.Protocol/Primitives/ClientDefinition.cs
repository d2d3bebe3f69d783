namespace IdentityProvider.Protocol.Primitives;

/// <summary>A registered relying party, as the protocol sees it. Built by the store from whatever it persists.</summary>
public sealed record ClientDefinition
{
    public required string ClientId { get; init; }

    public required string DisplayName { get; init; }

    /// <summary>RFC 6749 §2.1: whether the client can keep a credential confidential.</summary>
    public ClientType Type { get; init; } = ClientType.Confidential;

    /// <summary>One of <see cref="ClientAuthenticationMethods"/> (RFC 7591 §2).</summary>
    public required string TokenEndpointAuthMethod { get; init; }

    /// <summary>Compared by exact string match (RFC 6749 §3.1.2.3; OAuth 2.0 Security BCP §4.1.3): no normalisation, no wildcards.</summary>
    public IReadOnlyList<string> RedirectUris { get; init; } = [];

    public IReadOnlyList<string> PostLogoutRedirectUris { get; init; } = [];

    public IReadOnlySet<string> AllowedGrantTypes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public IReadOnlySet<string> AllowedScopes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>RFC 7636; always on for public clients whatever this says.</summary>
    public bool RequirePkce { get; init; } = true;

    public bool RequireConsent { get; init; }

    /// <summary>An acr every sign-in for this client must reach (e.g. <c>mfa</c>), whatever the request asks; null for none.</summary>
    public string? RequiredAcr { get; init; }

    /// <summary>SHA-256 hashes of the currently valid secrets; more than one while a secret is being rotated.</summary>
    public IReadOnlyList<ClientSecretHash> Secrets { get; init; } = [];

    /// <summary>The client's public keys (a JWKS document) for private_key_jwt (RFC 7523).</summary>
    public string? Jwks { get; init; }

    public bool IsPublic => Type == ClientType.Public;
}

public enum ClientType
{
    Confidential,
    Public,
}

public sealed record ClientSecretHash(string Sha256Hex, DateTimeOffset? ExpiresAt);

/// <summary>Token endpoint authentication methods (OIDC Core §9, RFC 7591 §2).</summary>
public static class ClientAuthenticationMethods
{
    public const string ClientSecretBasic = "client_secret_basic";
    public const string ClientSecretPost = "client_secret_post";
    public const string PrivateKeyJwt = "private_key_jwt";
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [ClientSecretBasic, ClientSecretPost, PrivateKeyJwt, None];
}

/// <summary>Grant types this server implements (RFC 6749 §4, §6).</summary>
public static class GrantTypes
{
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";
    public const string ClientCredentials = "client_credentials";

    public static readonly IReadOnlyList<string> All = [AuthorizationCode, RefreshToken, ClientCredentials];
}
