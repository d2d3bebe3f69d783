namespace IdentityProvider.Protocol.Stores;

/// <summary>Remembered consent: which scopes a user has allowed a client, until the user revokes it.</summary>
public interface IConsentStore
{
    Task<IReadOnlySet<string>> GetGrantedScopesAsync(string subject, string clientId, CancellationToken cancellationToken);

    /// <summary>Adds to what was granted before; never narrows it.</summary>
    Task GrantAsync(string subject, string clientId, IReadOnlyCollection<string> scopes, DateTimeOffset now, CancellationToken cancellationToken);

    Task<bool> RevokeAsync(string subject, string clientId, CancellationToken cancellationToken);
}
