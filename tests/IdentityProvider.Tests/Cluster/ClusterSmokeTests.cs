using System.Net;
using System.Text.Json;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>The cluster itself: nginx in front of three nodes that all serve, under nginx's address.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterSmokeTests(IdentityProviderCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly ClusterSession _session = cluster.BeginTest(output);

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task ServesDiscovery_FromEveryNode_UnderTheBalancersAddress()
    {
        var browser = _session.NewBrowser();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 2 * IdentityProviderCluster.NodeCount; i++)
        {
            responses.Add(await browser.GetAsync("/.well-known/openid-configuration"));
        }

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in responses)
        {
            var metadata = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(cluster.Issuer, metadata.GetProperty("issuer").GetString());
            Assert.Equal(cluster.Issuer + "/connect/token", metadata.GetProperty("token_endpoint").GetString());
        }

        Assert.Equal(cluster.Nodes.Select(n => n.Name).Order(), _session.NodesOf(responses).Distinct().Order());
    }

    [Fact]
    public void AppliesTheMigrationsOnce_WhenThreeNodesStartTogetherOnAnEmptyDatabase()
    {
        // The fixture starts the nodes at the same moment on a new database; each says in its log
        // whether it migrated or found the schema current (DatabaseMigrator, events 1001 and 1002).
        var migrated = cluster.Nodes.Where(n => n.Lines().Any(l => l.Contains("Applied ", StringComparison.Ordinal) && l.Contains("migration(s)", StringComparison.Ordinal))).ToList();
        var current = cluster.Nodes.Where(n => n.Lines().Any(l => l.Contains("Database schema is current", StringComparison.Ordinal))).ToList();

        Assert.Single(migrated);
        Assert.Equal(IdentityProviderCluster.NodeCount - 1, current.Count);
    }

    [Fact]
    public async Task PublishesTheSameSigningKeys_OnEveryNode()
    {
        var browser = _session.NewBrowser();

        // Another test may have just revoked a key, which each node sees within its key cache
        // lifetime; past that, every node must publish the same set.
        var deadline = DateTime.UtcNow + IdentityProviderCluster.KeyCacheDuration + TimeSpan.FromSeconds(15);
        Dictionary<string, string> keySets;
        do
        {
            keySets = [];
            for (var i = 0; i < IdentityProviderCluster.NodeCount; i++)
            {
                var response = await browser.GetAsync("/.well-known/jwks");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var kids = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("keys")
                    .EnumerateArray().Select(k => k.GetProperty("kid").GetString()).Order();
                keySets[cluster.NodeOf(response).Name] = string.Join(" ", kids);
            }

            if (keySets.Values.Distinct().Count() > 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
        while (keySets.Values.Distinct().Count() > 1 && DateTime.UtcNow < deadline);

        Assert.Equal(IdentityProviderCluster.NodeCount, keySets.Count);
        Assert.Single(keySets.Values.Distinct());
        Assert.NotEqual("", keySets.Values.First());
    }
}
