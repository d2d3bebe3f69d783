namespace IdentityProvider.Protocol.Stores;

/// <summary>
/// Authorization requests waiting for the user (sign-in, consent). Kept server side so the pages
/// get a short opaque id instead of the client's parameters, and so the request is re-validated
/// against the client's current registration when it resumes.
/// </summary>
public interface IPendingAuthorizationStore
{
    Task SaveAsync(PendingAuthorization pending, CancellationToken cancellationToken);

    Task<PendingAuthorization?> FindAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records that the user signed in (session <paramref name="sessionId"/>) for this request.</summary>
    Task<bool> SetAuthenticatedAsync(string id, string sessionId, CancellationToken cancellationToken);

    /// <summary>Records the user's answer on the consent page.</summary>
    Task<bool> SetConsentAsync(string id, bool granted, CancellationToken cancellationToken);

    /// <summary>Single use: true for exactly one caller, however many race.</summary>
    Task<bool> RemoveAsync(string id, CancellationToken cancellationToken);
}

/// <param name="Parameters">The request's parameters as the client sent them.</param>
/// <param name="AuthenticatedSessionId">Set once the user signed in for this very request (prompt=login, max_age).</param>
/// <param name="Consent">Null until the user answered the consent page.</param>
public sealed record PendingAuthorization(
    string Id,
    IReadOnlyDictionary<string, string> Parameters,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? AuthenticatedSessionId = null,
    bool? Consent = null);
