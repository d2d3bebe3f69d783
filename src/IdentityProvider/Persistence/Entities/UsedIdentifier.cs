namespace IdentityProvider.Persistence.Entities;

/// <summary>A single-use identifier that has been used; the primary key makes a second use fail in the database.</summary>
public sealed class UsedIdentifier
{
    public required string Key { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
