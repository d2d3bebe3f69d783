namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// An upstream OpenID Connect provider added by an operator (configured ones are not stored).
/// Lists are space-separated, enums are their configuration strings; the client secret is kept
/// only encrypted by data protection.
/// </summary>
public sealed class UpstreamProviderEntity
{
    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    public required string Issuer { get; set; }

    public required string ClientId { get; set; }

    /// <summary>The client secret protected by data protection; null for private_key_jwt.</summary>
    public string? ProtectedClientSecret { get; set; }

    /// <summary><c>client_secret_basic</c>, <c>client_secret_post</c> or <c>private_key_jwt</c>.</summary>
    public required string ClientAuthentication { get; set; }

    public required string Scopes { get; set; }

    public required string SubjectClaim { get; set; }

    public required string EmailClaim { get; set; }

    public required string NameClaim { get; set; }

    public string? GroupsClaim { get; set; }

    /// <summary><c>bypass</c>, <c>require-local</c> or <c>trust-upstream-amr</c>.</summary>
    public required string MfaRule { get; set; }

    public bool ProvisionUsers { get; set; }

    public bool LinkByEmail { get; set; }

    public required string Domains { get; set; }

    public bool Enabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
