namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// One federated sign-in waiting for the upstream's answer. The row is the only place the
/// <c>state</c> is known (as its SHA-256), and the callback deletes it, so each state is used once
/// whichever node the answer reaches.
/// </summary>
public sealed class FederationState
{
    /// <summary>Hex SHA-256 of the <c>state</c> sent upstream (RFC 6749 §10.12).</summary>
    public required string StateHash { get; set; }

    public required string ProviderId { get; set; }

    /// <summary>The <c>nonce</c> sent upstream (OIDC Core §3.1.2.1); the ID token must carry it back.</summary>
    public required string Nonce { get; set; }

    /// <summary>The PKCE code verifier (RFC 7636 §4.1), protected by data protection.</summary>
    public required string ProtectedCodeVerifier { get; set; }

    /// <summary>The pending authorization request the sign-in serves, if any.</summary>
    public string? RequestId { get; set; }

    /// <summary>Hex SHA-256 of the value in the browser-binding cookie of the browser that started it.</summary>
    public required string BrowserBindingHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
