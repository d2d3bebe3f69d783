namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// A relying party registered by an operator. Lists are stored space-separated: scopes and
/// grant types are space-free tokens (RFC 6749 §3.3), and a URI cannot contain a space (RFC 3986 §2).
/// </summary>
public sealed class ClientEntity
{
    public required string ClientId { get; set; }

    public required string DisplayName { get; set; }

    /// <summary><c>public</c> or <c>confidential</c> (RFC 6749 §2.1).</summary>
    public required string ClientType { get; set; }

    /// <summary>RFC 7591 §2 token_endpoint_auth_method.</summary>
    public required string TokenEndpointAuthMethod { get; set; }

    public string RedirectUris { get; set; } = "";

    public string PostLogoutRedirectUris { get; set; } = "";

    public string AllowedGrantTypes { get; set; } = "";

    public string AllowedScopes { get; set; } = "";

    public bool RequirePkce { get; set; } = true;

    public bool RequireConsent { get; set; }

    /// <summary>The acr every sign-in for this client must reach (<c>mfa</c>, <c>phr</c>), or null for the users' own policy.</summary>
    public string? RequiredAcr { get; set; }

    /// <summary>The client's public keys for private_key_jwt (RFC 7523), as a JWKS document.</summary>
    public string? Jwks { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<ClientSecretEntity> Secrets { get; set; } = [];
}

/// <summary>
/// A client secret, stored as SHA-256 only. Secrets are generated with 256 bits of entropy, so a
/// fast hash resists guessing as well as a slow one would, without capping token throughput.
/// Several may be valid at once, so a secret can be rotated without downtime.
/// </summary>
public sealed class ClientSecretEntity
{
    public long Id { get; set; }

    public required string ClientId { get; set; }

    public required string SecretHash { get; set; }

    public string? Description { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}
