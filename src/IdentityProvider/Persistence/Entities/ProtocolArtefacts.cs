namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// An authorization request waiting for the user. Keyed by the hash of its id: the id in the
/// browser's URL is a capability to resume the request, so it is not stored in the clear.
/// </summary>
public sealed class PendingAuthorizationEntity
{
    public required string IdHash { get; set; }

    /// <summary>The client's parameters as a JSON object.</summary>
    public required string Parameters { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public string? AuthenticatedSessionId { get; set; }

    public bool? Consent { get; set; }
}

/// <summary>An authorization code, by hash. <see cref="RedeemedAt"/> is set once, by a conditional update.</summary>
public sealed class AuthorizationCodeEntity
{
    public required string CodeHash { get; set; }

    public required string ClientId { get; set; }

    public required string GrantId { get; set; }

    public required string Subject { get; set; }

    public required string SessionId { get; set; }

    public required string RedirectUri { get; set; }

    /// <summary>Space-separated (RFC 6749 §3.3).</summary>
    public required string Scopes { get; set; }

    public string? Nonce { get; set; }

    public string? CodeChallenge { get; set; }

    public DateTimeOffset AuthTime { get; set; }

    /// <summary>Space-separated RFC 8176 values.</summary>
    public required string Amr { get; set; }

    public string? Acr { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RedeemedAt { get; set; }
}

/// <summary>What a user allowed a client; the root of a refresh-token family.</summary>
public sealed class GrantEntity
{
    public required string GrantId { get; set; }

    public required string ClientId { get; set; }

    public required string Subject { get; set; }

    public string? SessionId { get; set; }

    public required string Scopes { get; set; }

    public DateTimeOffset AuthTime { get; set; }

    public required string Amr { get; set; }

    public string? Acr { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>A refresh token, by hash. <see cref="ConsumedAt"/> is set once, when it is rotated.</summary>
public sealed class RefreshTokenEntity
{
    public required string TokenHash { get; set; }

    public required string GrantId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? ConsumedAt { get; set; }
}

/// <summary>Remembered consent of one user for one client.</summary>
public sealed class ConsentEntity
{
    public required string Subject { get; set; }

    public required string ClientId { get; set; }

    public required string Scopes { get; set; }

    public DateTimeOffset GrantedAt { get; set; }
}

/// <summary>
/// A sign-in session, server side: the cookie carries only <see cref="Id"/>. Deleting the row
/// ends the session on every node.
/// </summary>
public sealed class UserSessionEntity
{
    public required string Id { get; set; }

    public required string UserId { get; set; }

    /// <summary>The authentication ticket, serialized and protected with data protection.</summary>
    public required byte[] Ticket { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
