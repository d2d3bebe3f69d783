using IdentityProvider.Federation;
using Microsoft.AspNetCore.Http;

namespace IdentityProvider.Tests.Federation;

/// <summary>Stands in for the account side: records each verified identity and answers a fixed local path.</summary>
public sealed class RecordingFederatedSignIn : IFederatedSignIn
{
    public const string NextPath = "/account/federated-next";

    private readonly List<(UpstreamIdentity Identity, string? RequestId)> _calls = [];

    public string Answer { get; set; } = NextPath;

    public IReadOnlyList<(UpstreamIdentity Identity, string? RequestId)> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public Task<string> ContinueAsync(HttpContext http, UpstreamIdentity identity, string? requestId, CancellationToken cancellationToken)
    {
        lock (_calls)
        {
            _calls.Add((identity, requestId));
        }

        return Task.FromResult(Answer);
    }
}
