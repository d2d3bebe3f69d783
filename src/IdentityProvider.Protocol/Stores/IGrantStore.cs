namespace IdentityProvider.Protocol.Stores;

/// <summary>
/// Grants: what a user allowed a client, created when a code is redeemed, and the family of
/// refresh tokens rotated from it. Revoking a grant ends every refresh token of the family and,
/// for introspection, every access token minted under it.
/// </summary>
public interface IGrantStore
{
    /// <summary>
    /// Records a grant. If a replay of its code revoked the id before this ran, the grant is
    /// recorded revoked: the tokens minted with it are then dead on arrival for refresh and introspection.
    /// </summary>
    Task CreateAsync(GrantRecord grant, CancellationToken cancellationToken);

    Task<GrantRecord?> FindActiveAsync(string grantId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <returns>False when the grant was unknown or already revoked.</returns>
    Task<bool> RevokeAsync(string grantId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every active grant a user gave a client (the user withdrew the client's access).</summary>
    /// <returns>How many grants were revoked.</returns>
    Task<int> RevokeAllAsync(string subject, string clientId, DateTimeOffset now, CancellationToken cancellationToken);

    Task AddRefreshTokenAsync(string tokenHash, string grantId, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes a refresh token for rotation in one conditional update: unused, unexpired, its
    /// grant active and issued to <paramref name="clientId"/>.
    /// </summary>
    Task<RefreshTokenUse> UseRefreshTokenAsync(string tokenHash, string clientId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A refresh token that can still be used, with its grant (for scope checks, introspection and revocation).</summary>
    Task<ActiveRefreshToken?> FindByRefreshTokenAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken);
}

public sealed record GrantRecord(
    string GrantId,
    string ClientId,
    string Subject,
    string? SessionId,
    IReadOnlyList<string> Scopes,
    DateTimeOffset AuthTime,
    IReadOnlyList<string> Amr,
    string? Acr,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

/// <summary>An unused, unexpired refresh token of an active grant; <paramref name="ExpiresAt"/> is the token's own (sliding) expiry.</summary>
public sealed record ActiveRefreshToken(GrantRecord Grant, DateTimeOffset ExpiresAt);

public enum RefreshTokenUseStatus
{
    Rotated,

    /// <summary>
    /// The token had already been rotated: someone holds a copy (RFC 9700 §4.14.2). The caller
    /// revokes the whole family.
    /// </summary>
    Reused,

    Invalid,
}

public sealed record RefreshTokenUse(RefreshTokenUseStatus Status, GrantRecord? Grant, string? GrantId = null)
{
    public static readonly RefreshTokenUse Invalid = new(RefreshTokenUseStatus.Invalid, null);
}
