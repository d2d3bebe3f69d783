using IdentityProvider.Protocol.ClientAuthentication;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.RateLimiting;

/// <summary>
/// The protocol library's per-client hook, filled with <see cref="RateLimitOptions.ProtocolPerClient"/>
/// buckets in this node's memory. The library asks only once the client has authenticated.
/// </summary>
public sealed class ClientRequestLimiter(IOptions<RateLimitOptions> options) : IClientRequestLimiter, IDisposable
{
    private readonly KeyedTokenBuckets _perClient = new(options.Value.ProtocolPerClient);

    public bool TryAcquire(AuthenticatedClient client, out TimeSpan retryAfter) =>
        _perClient.TryAcquire(client.Client.ClientId, out retryAfter);

    public void Dispose() => _perClient.Dispose();
}
