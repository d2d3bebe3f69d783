namespace IdentityProvider.Protocol.Stores;

/// <summary>The protocol's view of a user: only what claims are made of.</summary>
public interface IUserClaimsStore
{
    /// <returns>Null when the user no longer exists or may not sign in (disabled, locked out by an administrator).</returns>
    Task<UserClaims?> FindActiveAsync(string subject, CancellationToken cancellationToken);
}

/// <summary>OIDC Core §5.1 standard claims this provider knows, and the user's other claims.</summary>
public sealed record UserClaims(
    string Subject,
    string? Name = null,
    string? GivenName = null,
    string? FamilyName = null,
    string? PreferredUsername = null,
    string? Email = null,
    bool EmailVerified = false)
{
    /// <summary>
    /// The user's further claims by type (roles as <c>roles</c>), released only through the
    /// scopes an operator maps them to (<c>OpenIdServer:ScopeClaims</c>).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Additional { get; init; } = [];
}
