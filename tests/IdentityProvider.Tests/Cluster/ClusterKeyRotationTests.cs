using System.Net;
using System.Text.Json;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>
/// Signing keys changed by the operator on one node while access tokens signed by the old key are
/// in use: a rotation leaves every outstanding token valid on every node; a revocation (compromise)
/// makes every node refuse them within SigningKeys:CacheDuration.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterKeyRotationTests(IdentityProviderCluster cluster, ITestOutputHelper output) : IDisposable
{
    // Scheduling noise on a loaded machine on top of the cache bound; it only ends the wait.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly ClusterSession _session = cluster.BeginTest(output);

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task KeepsAcceptingOutstandingAccessTokens_OnEveryNode_AfterAKeyRotation()
    {
        var (client, accessToken) = await SignedInAsync();
        var oldKid = new JsonWebToken(accessToken).Kid;

        var rotated = await cluster.WithServicesAsync(services =>
            services.GetRequiredService<SigningKeyRing>().RotateNowAsync(new JsonWebToken(accessToken).Alg, CancellationToken.None));
        var deadline = DateTime.UtcNow + IdentityProviderCluster.KeyCacheDuration + Patience;

        foreach (var node in cluster.Nodes)
        {
            using var direct = new HttpClient { BaseAddress = node.DirectAddress };
            // Once the node publishes the new key it has dropped its cached key set and works
            // from the rotated one.
            while (!(await KidsAsync(direct)).Contains(rotated.KeyId))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{node.Name} did not publish the new key within the key cache duration");
                await Task.Delay(200);
            }

            Assert.True(await IsActiveAsync(direct, client, accessToken), $"{node.Name} introspects the outstanding token as inactive");
            Assert.Equal(HttpStatusCode.OK, (await ClusterClient.UserInfoAsync(direct, accessToken)).StatusCode);
            // The old key stays published next to the new one, so relying parties that verify
            // locally accept the outstanding token too.
            Assert.Contains(oldKid, await KidsAsync(direct));
        }

        // Once pre-publication is over the new key signs, on whichever node serves the sign-in,
        // while the token of the old key is still accepted everywhere.
        var signsFrom = rotated.ActivatesAt.UtcDateTime + IdentityProviderCluster.KeyCacheDuration;
        if (signsFrom > DateTime.UtcNow)
        {
            await Task.Delay(signsFrom - DateTime.UtcNow);
        }

        var (_, newToken) = await SignedInAsync();
        Assert.Equal(rotated.KeyId, new JsonWebToken(newToken).Kid);
        foreach (var node in cluster.Nodes)
        {
            using var direct = new HttpClient { BaseAddress = node.DirectAddress };
            Assert.True(await IsActiveAsync(direct, client, accessToken), $"{node.Name} refuses the old key's token after the new key took over");
            Assert.Equal(HttpStatusCode.OK, (await ClusterClient.UserInfoAsync(direct, accessToken)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await ClusterClient.UserInfoAsync(direct, newToken)).StatusCode);
        }
    }

    [Fact]
    public async Task RefusesTheTokensOfARevokedKey_OnEveryNode_WithinTheKeyCacheDuration()
    {
        var (client, accessToken) = await SignedInAsync();
        var kid = new JsonWebToken(accessToken).Kid;
        var direct = cluster.Nodes.Select(n => new HttpClient { BaseAddress = n.DirectAddress }).ToList();
        try
        {
            foreach (var node in direct)
            {
                Assert.True(await IsActiveAsync(node, client, accessToken));
            }

            Assert.True(await cluster.WithServicesAsync(services => services.GetRequiredService<SigningKeyRing>().RevokeAsync(kid, CancellationToken.None)));
            var deadline = DateTime.UtcNow + IdentityProviderCluster.KeyCacheDuration + Patience;

            for (var i = 0; i < direct.Count; i++)
            {
                while (await IsActiveAsync(direct[i], client, accessToken))
                {
                    Assert.True(DateTime.UtcNow < deadline, $"{cluster.Nodes[i].Name} still accepts a token of the revoked key");
                    await Task.Delay(200);
                }
            }

            // And keeps refusing it, at UserInfo too (RFC 6750 §3.1 invalid_token).
            foreach (var node in direct)
            {
                Assert.False(await IsActiveAsync(node, client, accessToken));
                var userInfo = await ClusterClient.UserInfoAsync(node, accessToken);
                Assert.Equal(HttpStatusCode.Unauthorized, userInfo.StatusCode);
                Assert.Contains("invalid_token", userInfo.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
                Assert.DoesNotContain(kid, await KidsAsync(node));
            }
        }
        finally
        {
            direct.ForEach(c => c.Dispose());
        }
    }

    private async Task<(ClusterClient Client, string AccessToken)> SignedInAsync()
    {
        var user = await cluster.CreatePasswordUserAsync();
        var client = await cluster.RegisterClientAsync();
        var browser = _session.NewBrowser();
        var flow = client.Flow(browser);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(await HostedSignIn.WithPasswordAsync(browser, flow, user)));
        return (client, tokens.GetProperty("access_token").GetString()!);
    }

    private static async Task<bool> IsActiveAsync(HttpClient node, ClusterClient client, string token)
    {
        var response = await client.IntrospectAsync(node, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await CodeFlow.JsonAsync(response)).GetProperty("active").GetBoolean();
    }

    private static async Task<List<string>> KidsAsync(HttpClient node) =>
        JsonDocument.Parse(await node.GetStringAsync("/.well-known/jwks")).RootElement.GetProperty("keys")
            .EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToList();
}
