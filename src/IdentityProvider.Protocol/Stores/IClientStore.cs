using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Protocol.Stores;

/// <summary>Finds registered clients. Disabled or unknown clients are simply not found.</summary>
public interface IClientStore
{
    Task<ClientDefinition?> FindByIdAsync(string clientId, CancellationToken cancellationToken);
}
