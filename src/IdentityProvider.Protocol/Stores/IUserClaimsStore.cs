namespace IdentityProvider.Protocol.Stores;

/// <summary>The protocol's view of a user: only what claims are made of.</summary>
public interface IUserClaimsStore
{
    /// <returns>Null when the user no longer exists or may not sign in (disabled, locked out by an administrator).</returns>
    Task<UserClaims?> FindActiveAsync(string subject, CancellationToken cancellationToken);
}

/// <summary>OIDC Core §5.1 standard claims this provider knows.</summary>
public sealed record UserClaims(
    string Subject,
    string? Name = null,
    string? GivenName = null,
    string? FamilyName = null,
    string? PreferredUsername = null,
    string? Email = null,
    bool EmailVerified = false);
