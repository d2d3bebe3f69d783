using System.Net;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>What the nodes believe about the client behind nginx.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterProxyTests(IdentityProviderCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly ClusterSession _session = cluster.BeginTest(output);

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task RecordsTheAddressNginxSaw_NotAnXForwardedForTheClientSent()
    {
        var user = await cluster.CreatePasswordUserAsync();
        var client = await cluster.RegisterClientAsync();
        var browser = _session.NewBrowser();
        // A client that claims another address, to dodge the per-address rate limit or to blame someone else in the audit trail.
        browser.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        var authorize = await browser.GetAsync(client.Flow(browser).AuthorizeUrl("openid"));
        var login = await browser.GetPageAsync(authorize.Headers.Location!.OriginalString);

        var wrong = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = user.UserName, ["Password"] = "not " + user.Password });

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        var failure = await cluster.WithDbAsync(db => db.AuditEvents.SingleAsync(e =>
            e.Action == "sign_in.failed" && e.Outcome == AuditOutcome.Failure && e.TargetId == user.Id));
        // nginx appends the address it saw (loopback here); the node believes only that last hop.
        Assert.Equal("127.0.0.1", failure.IpAddress);
    }
}
