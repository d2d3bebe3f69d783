using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Protocol.Tests.Fakes;

public sealed class FakeClientStore(params ClientDefinition[] clients) : IClientStore
{
    private readonly Dictionary<string, ClientDefinition> _clients = clients.ToDictionary(c => c.ClientId);

    public Task<ClientDefinition?> FindByIdAsync(string clientId, CancellationToken cancellationToken) =>
        Task.FromResult(_clients.GetValueOrDefault(clientId));
}
