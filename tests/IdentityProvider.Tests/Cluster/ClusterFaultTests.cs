using System.Net;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>
/// Faults in the middle of a flow: the cluster's own PostgreSQL restarted, a node killed with
/// SIGKILL. Nothing is lost or half-written, every failure a client sees is a clean 503 with
/// Retry-After (RFC 9110 §15.6.4, §10.2.3), and the cluster heals without anyone restarting a node.
/// Each test leaves the cluster whole (database up, three nodes ready) for the next one.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFaultTests(IdentityProviderCluster cluster, ITestOutputHelper output) : IDisposable
{
    // How long the nodes may take to serve again once the database is back. Generous for a loaded
    // 2-core machine; it only bounds the wait, it is not a performance claim.
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(30);

    private readonly ClusterSession _session = cluster.BeginTest(output);

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task FinishesTheSignIn_WhenTheDatabaseRestartsBetweenPasswordAndCode_AndTheCodeSentDuringTheOutageStaysUnused()
    {
        var user = await cluster.CreatePasswordUserAsync();
        var secret = await cluster.EnrolTotpAsync(user.Id);
        var client = await cluster.RegisterClientAsync();
        var browser = _session.NewBrowser();
        var flow = client.Flow(browser);
        await HostedSignIn.PasswordAsync(browser, flow, user);
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);
        var code = HostedSignIn.CodeNow(secret);

        await cluster.StopDatabaseAsync();
        HttpResponseMessage submitted, reopened;
        try
        {
            submitted = await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["Code"] = code });
            reopened = await browser.GetAsync(SignInSteps.SecondFactorPath);
        }
        finally
        {
            await cluster.StartDatabaseAsync();
        }

        foreach (var duringOutage in new[] { submitted, reopened })
        {
            await AssertFriendlyUnavailablePageAsync(duringOutage);
        }

        await WaitUntilEveryNodeServesAsync();
        // The same code: the attempt during the outage wrote nothing, so its time step is unused.
        var afterCode = await browser.SubmitAsync(await browser.GetPageAsync(SignInSteps.SecondFactorPath),
            new Dictionary<string, string> { ["Code"] = code });
        Assert.Equal(HttpStatusCode.SeeOther, afterCode.StatusCode);
        var redeemed = await flow.RedeemAsync(await HostedSignIn.ResumeAsync(browser, flow, afterCode));

        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var idToken = new JsonWebToken((await CodeFlow.JsonAsync(redeemed)).GetProperty("id_token").GetString());
        Assert.Equal(["pwd", "otp", "mfa"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.Equal(1, await SuccessfulSignInsAsync(user));
        AssertNoServerErrorsButUnavailable();
    }

    [Fact]
    public async Task LosesNothing_WhenTheDatabaseRestartsDuringABurstOfTokenRequests()
    {
        const int PerWave = 4;
        var user = await cluster.CreatePasswordUserAsync();
        var client = await cluster.RegisterClientAsync();
        // Three waves of codes: redeemed while the database goes down, while it is down, and while
        // it comes back. Codes live a minute (OpenIdServer:AuthorizationCodeLifetime), long enough.
        var signIns = new List<(CodeFlow Flow, string Code)>();
        for (var i = 0; i < 3 * PerWave; i++)
        {
            var browser = _session.NewBrowser();
            var flow = client.Flow(browser);
            signIns.Add((flow, await HostedSignIn.WithPasswordAsync(browser, flow, user)));
        }

        var answers = signIns.Select(_ => new List<HttpResponseMessage>()).ToList();
        async Task RedeemAsync(int i) => answers[i].Add(await signIns[i].Flow.RedeemAsync(signIns[i].Code));

        List<int> whileDown;
        try
        {
            // Wave 1 races the shutdown: some are answered before it, some are cut mid-transaction.
            await Task.WhenAll(Enumerable.Range(0, PerWave).Select(RedeemAsync).Append(cluster.StopDatabaseAsync()));
            // Wave 2 arrives while the database is down.
            whileDown = Enumerable.Range(PerWave, PerWave).ToList();
            await Task.WhenAll(whileDown.Select(RedeemAsync));
        }
        finally
        {
            // Wave 3 races the start.
            await Task.WhenAll(Enumerable.Range(2 * PerWave, PerWave).Select(RedeemAsync).Append(cluster.StartDatabaseAsync()));
        }

        // Every client that got a 503 tries again, as Retry-After tells it to, until it gets a
        // final answer; bounded, so a node that never recovers fails the test.
        var deadline = DateTime.UtcNow + RecoveryDeadline;
        while (answers.Any(a => a[^1].StatusCode == HttpStatusCode.ServiceUnavailable))
        {
            Assert.True(DateTime.UtcNow < deadline, "the nodes still answer 503 after the database has been back for " + RecoveryDeadline);
            await Task.Delay(250);
            await Task.WhenAll(answers.Select((a, i) => (a, i)).Where(x => x.a[^1].StatusCode == HttpStatusCode.ServiceUnavailable)
                .Select(x => RedeemAsync(x.i)));
        }

        var all = answers.SelectMany(a => a).ToList();
        Assert.Contains(all, r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        foreach (var unavailable in all.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable))
        {
            Assert.NotNull(unavailable.Headers.RetryAfter?.Delta);
            Assert.Equal(ErrorCodes.TemporarilyUnavailable, await CodeFlow.ErrorOf(unavailable));
        }

        // A request that met a database that was already down wrote nothing: its code still works.
        Assert.All(whileDown, i => Assert.Equal(HttpStatusCode.OK, answers[i][^1].StatusCode));
        for (var i = 0; i < signIns.Count; i++)
        {
            var codeHash = OpaqueTokens.Hash(signIns[i].Code);
            var row = await cluster.WithDbAsync(db => db.AuthorizationCodes.AsNoTracking().SingleAsync(c => c.CodeHash == codeHash));
            var tokens = answers[i].Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
            // No code redeemed twice; every code that was answered with tokens, or refused as used,
            // is marked redeemed in the database.
            Assert.InRange(tokens.Count, 0, 1);
            Assert.Equal(answers[i][^1].StatusCode, tokens.Count == 1 ? HttpStatusCode.OK : HttpStatusCode.BadRequest);
            Assert.NotNull(row.RedeemedAt);
            if (tokens.Count == 1)
            {
                // The refresh token the client was handed exists: no response promised a token
                // whose row was lost with the connection.
                var refreshed = await signIns[i].Flow.RefreshAsync((await CodeFlow.JsonAsync(tokens[0])).GetProperty("refresh_token").GetString()!);
                Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
            }
            else
            {
                // Consumed by a request the outage cut short, then refused as used (RFC 6749 §4.1.2):
                // whatever that request got to write belongs to a grant that is revoked or absent.
                Assert.False(await cluster.WithDbAsync(db => db.Grants.AnyAsync(g => g.GrantId == row.GrantId && g.RevokedAt == null)));
            }
        }

        // Every sign-in of the user is in the audit trail after the restart.
        Assert.Equal(signIns.Count, await SuccessfulSignInsAsync(user));
        AssertNoServerErrorsButUnavailable();
    }

    [Fact]
    public async Task ContinuesOnAnotherNode_WhenTheNodeThatCheckedThePasswordIsKilled_AndNeverSignsInWithoutTheCode()
    {
        var user = await cluster.CreatePasswordUserAsync();
        var secret = await cluster.EnrolTotpAsync(user.Id);
        var client = await cluster.RegisterClientAsync();
        var browser = _session.NewBrowser();
        var flow = client.Flow(browser);
        var afterPassword = await HostedSignIn.PasswordAsync(browser, flow, user);
        var killed = cluster.NodeOf(afterPassword);

        await killed.KillAsync();
        try
        {
            // The password alone: a new authorization request is sent to sign in, not to the client.
            var again = await browser.GetAsync(flow.AuthorizeUrl("openid profile offline_access"));
            Assert.Equal(HttpStatusCode.Found, again.StatusCode);
            Assert.DoesNotContain(client.RedirectUri, again.Headers.Location!.OriginalString, StringComparison.Ordinal);
            Assert.Equal(0, await cluster.WithDbAsync(db => db.UserSessions.CountAsync(s => s.UserId == user.Id)));

            // The partial sign-in cookie is protected with keys in the database, so a surviving
            // node reads it and asks for the code.
            var afterCode = await HostedSignIn.CodeAsync(browser, HostedSignIn.CodeNow(secret));
            Assert.Equal(HttpStatusCode.SeeOther, afterCode.StatusCode);
            var redeemed = await flow.RedeemAsync(await HostedSignIn.ResumeAsync(browser, flow, afterCode));

            Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
            var idToken = new JsonWebToken((await CodeFlow.JsonAsync(redeemed)).GetProperty("id_token").GetString());
            Assert.Contains("otp", idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
            var afterKill = _session.Trail.SkipWhile(s => s.Path != "/account/login" || s.Method != "POST").Skip(1).ToList();
            Assert.DoesNotContain(afterKill, s => s.Node == killed.Name);
            Assert.DoesNotContain(_session.Trail, s => (int)s.Status >= 500);
        }
        finally
        {
            await cluster.ReplaceNodeAsync(killed);
        }
    }

    private static async Task AssertFriendlyUnavailablePageAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await HtmlForms.ReadPageAsync(response, "/");
        Assert.Equal("Temporarily unavailable", page.Document.QuerySelector("h1")?.TextContent);
        Assert.DoesNotContain("Exception", page.Document.Body!.TextContent, StringComparison.Ordinal);
    }

    /// <summary>Each node, directly, answers a request that needs the database (an unknown code is looked up and refused).</summary>
    private async Task WaitUntilEveryNodeServesAsync()
    {
        var client = await cluster.RegisterClientAsync();
        var deadline = DateTime.UtcNow + RecoveryDeadline;
        foreach (var node in cluster.Nodes)
        {
            using var direct = new HttpClient { BaseAddress = node.DirectAddress };
            var flow = new CodeFlow(direct, client.ClientId, client.RedirectUri, client.Secret);
            while ((await flow.RedeemAsync("unknown")).StatusCode != HttpStatusCode.BadRequest)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{node.Name} did not serve again within {RecoveryDeadline} of the database's return");
                await Task.Delay(250);
            }
        }
    }

    private Task<int> SuccessfulSignInsAsync(ClusterUser user) => cluster.WithDbAsync(db =>
        db.AuditEvents.CountAsync(e => e.Action == AuditActions.SignInSucceeded && e.TargetId == user.Id));

    // RFC 9110 §15.6.4: unavailable is the one server error a fault may cause; never a 500 or a 502.
    private void AssertNoServerErrorsButUnavailable() =>
        Assert.DoesNotContain(_session.Trail, s => (int)s.Status >= 500 && s.Status != HttpStatusCode.ServiceUnavailable);
}
