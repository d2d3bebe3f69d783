namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// A company or organisation users belong to (m2v's "Company"). "Require MFA" on it makes every
/// member without a second factor set one up at their next sign-in.
/// </summary>
public sealed class Organisation
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public bool RequireMfa { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A user's membership of an organisation: at most one per user (the user is the key).</summary>
public sealed class OrganisationMember
{
    public required string UserId { get; set; }

    public required string OrganisationId { get; set; }
}
