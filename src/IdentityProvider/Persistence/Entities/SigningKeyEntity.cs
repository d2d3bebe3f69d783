namespace IdentityProvider.Persistence.Entities;

/// <summary>A token-signing key. The private part is protected with data protection before it is stored.</summary>
public sealed class SigningKeyEntity
{
    public required string KeyId { get; set; }

    public required string Algorithm { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ActivatesAt { get; set; }

    public DateTimeOffset RetiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public required string PublicJwk { get; set; }

    public required string ProtectedPrivateKey { get; set; }
}
