namespace IdentityProvider.Protocol.ClientAuthentication;

/// <summary>
/// A limit on back-channel requests per client (token, introspection, revocation), asked right
/// after client authentication: only a client that proved who it is has an allowance to spend, so
/// nobody can exhaust a victim client's allowance by naming its <c>client_id</c>. The host decides
/// the numbers and where the counts live; the default (<see cref="NoClientRequestLimit"/>) limits nothing.
/// </summary>
public interface IClientRequestLimiter
{
    /// <returns>True to go on; false with how long the client should wait.</returns>
    bool TryAcquire(AuthenticatedClient client, out TimeSpan retryAfter);
}

/// <summary>The library's default: no per-client limit.</summary>
public sealed class NoClientRequestLimit : IClientRequestLimiter
{
    public bool TryAcquire(AuthenticatedClient client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        return true;
    }
}
