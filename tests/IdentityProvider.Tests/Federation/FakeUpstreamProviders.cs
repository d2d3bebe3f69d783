using IdentityProvider.Federation;

namespace IdentityProvider.Tests.Federation;

/// <summary>The upstream providers a test configures, in memory (the real directory belongs to the upstream half).</summary>
public sealed class FakeUpstreamProviders : IUpstreamProviderDirectory
{
    public List<UpstreamProvider> Providers { get; } = [];

    public Task<IReadOnlyList<UpstreamProvider>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UpstreamProvider>>([.. Providers]);

    public Task<UpstreamProvider?> FindAsync(string providerId, CancellationToken cancellationToken) =>
        Task.FromResult(Providers.FirstOrDefault(p => p.Id == providerId));

    public Task<string?> GetClientSecretAsync(string providerId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
