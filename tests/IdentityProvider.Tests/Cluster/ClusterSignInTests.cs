using System.Net;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>A whole sign-in whose every step lands on another node than the step before.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterSignInTests(IdentityProviderCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly ClusterSession _session = cluster.BeginTest(output);

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task SignsIn_WithPasswordAndTotp_WhileConsecutiveStepsLandOnDifferentNodes()
    {
        var user = await cluster.CreatePasswordUserAsync();
        var secret = await cluster.EnrolTotpAsync(user.Id);
        var client = await cluster.RegisterClientAsync();
        var browser = _session.NewBrowser();
        var flow = client.Flow(browser);

        var code = await HostedSignIn.WithTotpAsync(browser, flow, user, secret);
        var redeemed = await flow.RedeemAsync(code);

        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var idToken = new JsonWebToken((await CodeFlow.JsonAsync(redeemed)).GetProperty("id_token").GetString());
        Assert.Equal(cluster.Issuer, idToken.Issuer);
        Assert.Equal(user.Id, idToken.Subject);
        Assert.Equal(["pwd", "otp", "mfa"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        // authorize, login page, password, code page, code, resume, token: the session cookie,
        // the antiforgery token, the pending sign-in and the code each crossed to another node.
        var nodes = _session.Trail.Select(s => s.Node).ToList();
        Assert.Equal(7, nodes.Count);
        Assert.All(nodes.Zip(nodes.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
        Assert.True(nodes.Distinct().Count() >= 2);
    }
}
