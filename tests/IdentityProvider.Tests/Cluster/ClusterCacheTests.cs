using System.Diagnostics;
using System.Net;
using System.Text.Json;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>
/// Per-node caches against an operator's change made elsewhere: each node may answer from its
/// cache for at most the documented lifetime (docs/operations.md, "Scaling out"), never longer.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterCacheTests(IdentityProviderCluster cluster, ITestOutputHelper output) : IDisposable
{
    // Scheduling noise on a loaded 2-core machine, on top of the bound, before the test gives up
    // waiting for the nodes that have not refused yet. It only ends the wait: the bound itself is
    // checked exactly, from when each request was sent.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly ClusterSession _session = cluster.BeginTest(output);

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task RefusesARemovedRedirectUri_OnEveryNode_WithinTheClientCacheLifetime()
    {
        var client = await cluster.RegisterClientAsync();
        var browser = _session.NewBrowser();
        var flow = client.Flow(browser);
        // Every node looks the client up once, and so caches it with the old redirect URI.
        var warm = new List<HttpResponseMessage>();
        for (var i = 0; i < IdentityProviderCluster.NodeCount; i++)
        {
            warm.Add(await browser.GetAsync(flow.AuthorizeUrl("openid")));
        }

        var clock = Stopwatch.StartNew();
        Assert.All(warm, r => Assert.Equal(HttpStatusCode.Found, r.StatusCode));
        Assert.Equal(IdentityProviderCluster.NodeCount, _session.NodesOf(warm).Distinct().Count());

        // The operator's node (not behind nginx) replaces the redirect URI; only its own cache is dropped.
        var changed = await cluster.WithServicesAsync(services => services.GetRequiredService<ClientManager>().UpdateAsync(new ClientRegistration
        {
            ClientId = client.ClientId,
            RedirectUris = [client.RedirectUri.Replace("/signin-oidc", "/callback", StringComparison.Ordinal)],
            GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            Scopes = ["openid", "profile", "offline_access"],
        }, "operator", CancellationToken.None));
        Assert.True(changed.Succeeded, string.Join(" ", changed.Errors));

        // Each cached entry was stored before its warm-up response reached us, so it expires
        // before clock reaches the lifetime: from then on no node may accept the old URI.
        var answers = new List<(TimeSpan SentAt, string Node, bool Accepted)>();
        var refusedBy = new HashSet<string>();
        while (refusedBy.Count < IdentityProviderCluster.NodeCount && clock.Elapsed < IdentityProviderCluster.ClientCacheLifetime + Patience)
        {
            var sentAt = clock.Elapsed;
            var response = await browser.GetAsync(flow.AuthorizeUrl("openid"));
            var node = cluster.NodeOf(response).Name;
            var accepted = response.StatusCode == HttpStatusCode.Found;
            if (!accepted)
            {
                // An unregistered redirect URI gets an error page, never a redirect to it.
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.Null(response.Headers.Location);
                refusedBy.Add(node);
            }

            answers.Add((sentAt, node, accepted));
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        foreach (var (sentAt, node, accepted) in answers)
        {
            output.WriteLine($"{sentAt.TotalMilliseconds:F0} ms {node} {(accepted ? "accepted" : "refused")}");
        }

        Assert.Equal(IdentityProviderCluster.NodeCount, refusedBy.Count);
        Assert.DoesNotContain(answers, a => a.Accepted && a.SentAt >= IdentityProviderCluster.ClientCacheLifetime);
    }

    [Fact]
    public async Task DropsARevokedKeyFromTheJwks_OnEveryNode_WithinTheKeyCacheDuration()
    {
        var browser = _session.NewBrowser();
        var before = new List<HttpResponseMessage>();
        for (var i = 0; i < IdentityProviderCluster.NodeCount; i++)
        {
            before.Add(await browser.GetAsync("/.well-known/jwks"));
        }

        Assert.Equal(IdentityProviderCluster.NodeCount, _session.NodesOf(before).Distinct().Count());
        var kid = (await KidsAsync(before[0])).First();
        foreach (var response in before)
        {
            Assert.Contains(kid, await KidsAsync(response));
        }

        // The operator revokes a published key (a compromise); other nodes read keys from their cache until it expires.
        Assert.True(await cluster.WithServicesAsync(services => services.GetRequiredService<SigningKeyRing>().RevokeAsync(kid, CancellationToken.None)));
        var clock = Stopwatch.StartNew();

        var answers = new List<(TimeSpan SentAt, string Node, bool Published)>();
        var droppedBy = new HashSet<string>();
        while (droppedBy.Count < IdentityProviderCluster.NodeCount && clock.Elapsed < IdentityProviderCluster.KeyCacheDuration + Patience)
        {
            var sentAt = clock.Elapsed;
            var response = await browser.GetAsync("/.well-known/jwks");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var node = cluster.NodeOf(response).Name;
            var published = (await KidsAsync(response)).Contains(kid);
            if (!published)
            {
                droppedBy.Add(node);
            }

            answers.Add((sentAt, node, published));
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        foreach (var (sentAt, node, published) in answers)
        {
            output.WriteLine($"{sentAt.TotalMilliseconds:F0} ms {node} {(published ? "still published" : "dropped")}");
        }

        Assert.Equal(IdentityProviderCluster.NodeCount, droppedBy.Count);
        Assert.DoesNotContain(answers, a => a.Published && a.SentAt >= IdentityProviderCluster.KeyCacheDuration);
    }

    private static async Task<List<string>> KidsAsync(HttpResponseMessage jwks) =>
        JsonDocument.Parse(await jwks.Content.ReadAsStringAsync()).RootElement.GetProperty("keys")
            .EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToList();
}
