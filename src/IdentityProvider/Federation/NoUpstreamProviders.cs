namespace IdentityProvider.Federation;

/// <summary>
/// The directory when nothing else registered one: no upstream providers, so the login page
/// shows no buttons and every hand-over is refused. The upstream half registers the real one.
/// </summary>
internal sealed class NoUpstreamProviders : IUpstreamProviderDirectory
{
    public Task<IReadOnlyList<UpstreamProvider>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<UpstreamProvider>>([]);

    public Task<UpstreamProvider?> FindAsync(string providerId, CancellationToken cancellationToken) => Task.FromResult<UpstreamProvider?>(null);

    public Task<string?> GetClientSecretAsync(string providerId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
