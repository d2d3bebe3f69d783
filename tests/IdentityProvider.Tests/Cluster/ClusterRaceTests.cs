using System.Net;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>
/// Single-use artefacts raced across the nodes: parallel requests through nginx land on all three,
/// so only the database's conditional updates can keep them single-use.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterRaceTests(IdentityProviderCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly ClusterSession _session = cluster.BeginTest(output);

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task RedeemsOneCodeOnce_OfTwentyParallelRedemptionsSpreadOverTheNodes()
    {
        var user = await cluster.CreatePasswordUserAsync();
        var client = await cluster.RegisterClientAsync();
        var browser = _session.NewBrowser();
        var flow = client.Flow(browser);
        var code = await HostedSignIn.WithPasswordAsync(browser, flow, user);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => flow.RedeemAsync(code)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(refused));
        }

        Assert.Equal(IdentityProviderCluster.NodeCount, _session.NodesOf(responses).Distinct().Count());
    }

    [Fact]
    public async Task LetsAtMostOneChainSurvive_WhenOneRefreshTokenIsUsedInParallelOnEveryNode()
    {
        var user = await cluster.CreatePasswordUserAsync();
        var client = await cluster.RegisterClientAsync();
        var browser = _session.NewBrowser();
        var flow = client.Flow(browser);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(await HostedSignIn.WithPasswordAsync(browser, flow, user)));
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => flow.RefreshAsync(refreshToken)));
        var issued = new List<string>();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.OK))
        {
            issued.Add((await CodeFlow.JsonAsync(response)).GetProperty("refresh_token").GetString()!);
        }

        // Each refresh token that came out of the race starts a chain; try to continue each one.
        var continued = new List<HttpResponseMessage>();
        foreach (var next in issued)
        {
            continued.Add(await flow.RefreshAsync(next));
        }

        Assert.Equal(IdentityProviderCluster.NodeCount, _session.NodesOf(responses).Distinct().Count());
        Assert.InRange(issued.Count, 0, 1);
        Assert.InRange(continued.Count(r => r.StatusCode == HttpStatusCode.OK), 0, 1);
    }

    [Fact]
    public async Task AcceptsOneTotpCodeOnce_WhenTwoSessionsOnTwoNodesSubmitItTogether()
    {
        var user = await cluster.CreatePasswordUserAsync();
        var secret = await cluster.EnrolTotpAsync(user.Id);
        var client = await cluster.RegisterClientAsync();
        var first = _session.NewBrowser();
        var second = _session.NewBrowser();
        await HostedSignIn.PasswordAsync(first, client.Flow(first), user);
        await HostedSignIn.PasswordAsync(second, client.Flow(second), user);
        var firstPage = await first.GetPageAsync(IdentityProvider.Authentication.Sessions.SignInSteps.SecondFactorPath);
        var secondPage = await second.GetPageAsync(IdentityProvider.Authentication.Sessions.SignInSteps.SecondFactorPath);
        var code = HostedSignIn.CodeNow(secret);

        var responses = await Task.WhenAll(
            first.SubmitAsync(firstPage, new Dictionary<string, string> { ["Code"] = code }),
            second.SubmitAsync(secondPage, new Dictionary<string, string> { ["Code"] = code }));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.SeeOther);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.NotEqual(_session.NodesOf(responses)[0], _session.NodesOf(responses)[1]);
    }

    [Fact]
    public async Task EvaluatesAtMostFiveCodes_OfFiftyParallelWrongOnesSpreadOverTheNodes()
    {
        var user = await cluster.CreatePasswordUserAsync();
        await cluster.EnrolTotpAsync(user.Id);
        var client = await cluster.RegisterClientAsync();
        var browser = _session.NewBrowser();
        await HostedSignIn.PasswordAsync(browser, client.Flow(browser), user);
        var page = await browser.GetPageAsync(IdentityProvider.Authentication.Sessions.SignInSteps.SecondFactorPath);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            browser.SubmitAsync(page, new Dictionary<string, string> { ["Code"] = (100000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture) })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(IdentityProviderCluster.NodeCount, _session.NodesOf(responses).Distinct().Count());
        // Lockout:MaxFailedCodes is 5 (the default): each evaluated wrong code leaves one audit row.
        var evaluated = await cluster.WithDbAsync(db => db.AuditEvents.CountAsync(e =>
            e.Action == "sign_in.failed" && e.Details!.StartsWith("totp") && (e.Actor == user.Id || e.TargetId == user.Id)));
        Assert.InRange(evaluated, 1, 5);
    }
}
