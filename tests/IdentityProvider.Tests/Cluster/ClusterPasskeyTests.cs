using System.Net;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>
/// Passkey ceremonies whose begin and finish land on different nodes: the challenge a node issues
/// lives in the database, so any node can check the answer, and only once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterPasskeyTests(IdentityProviderCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly ClusterSession _session = cluster.BeginTest(output);
    private readonly SoftwareAuthenticator _authenticator = new();

    public void Dispose()
    {
        _authenticator.Dispose();
        _session.Dispose();
    }

    [Fact]
    public async Task RegistersAPasskeyAndSignsInWithOnlyIt_WhileEachCeremonyCrossesNodes()
    {
        var user = await cluster.CreatePasswordUserAsync();
        var client = await cluster.RegisterClientAsync();

        var (begin, finish) = await RegisterOnTheSecurityPageAsync(user);
        Assert.Equal(HttpStatusCode.SeeOther, finish.StatusCode);
        Assert.Equal(SecurityModel.Path, finish.Headers.Location?.OriginalString);
        Assert.NotEqual(cluster.NodeOf(begin), cluster.NodeOf(finish));
        Assert.Equal(1, await cluster.WithDbAsync(db => db.UserPasskeys.CountAsync(p => p.UserId == user.Id)));

        var browser = Browser();
        var flow = client.Flow(browser);
        var authorize = await browser.GetAsync(flow.AuthorizeUrl("openid profile"));
        Assert.Equal(HttpStatusCode.Found, authorize.StatusCode);
        var (challenge, _, answer) = await HostedPasskeys.SignInAsync(browser, _authenticator, cluster.Issuer, authorize.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        Assert.NotEqual(SignInSteps.SecondFactorPath, answer.Headers.Location?.OriginalString);
        Assert.NotEqual(cluster.NodeOf(challenge.Response), cluster.NodeOf(answer));
        var redeemed = await flow.RedeemAsync(await HostedSignIn.ResumeAsync(browser, flow, answer));
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var idToken = new JsonWebToken((await CodeFlow.JsonAsync(redeemed)).GetProperty("id_token").GetString());
        Assert.Equal(user.Id, idToken.Subject);
        // As on one node: a user-verified passkey is a hardware key, the user's biometric or PIN, two factors.
        Assert.Equal(["hwk", "user", "pin", "mfa"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.Equal("phr", idToken.GetClaim("acr").Value);
    }

    [Fact]
    public async Task RefusesAnAnsweredAssertion_ReplayedToEveryNode()
    {
        var user = await cluster.CreatePasswordUserAsync();
        var client = await cluster.RegisterClientAsync();
        await RegisterOnTheSecurityPageAsync(user);
        var browser = Browser();
        var flow = client.Flow(browser);
        var authorize = await browser.GetAsync(flow.AuthorizeUrl("openid profile"));
        var (challenge, assertion, answer) = await HostedPasskeys.SignInAsync(browser, _authenticator, cluster.Issuer, authorize.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);

        var auditBefore = await cluster.WithDbAsync(db => db.AuditEvents.MaxAsync(e => (long?)e.Id)) ?? 0;

        // Each replay is a login page and a post from a new browser: two requests, so under
        // round-robin the three posts land on three different nodes.
        var replays = new List<HttpResponseMessage>();
        for (var i = 0; i < IdentityProviderCluster.NodeCount; i++)
        {
            var replayer = Browser();
            var token = await HostedPasskeys.TokenOfAsync(replayer, LoginModel.Path);
            replays.Add(await HostedPasskeys.PostAsync(replayer, LoginModel.Path + "?handler=Passkey", token,
                ("ceremony", challenge.Ceremony), ("credential", assertion)));
        }

        foreach (var replay in replays)
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            var page = await HtmlForms.ReadPageAsync(replay, LoginModel.Path);
            Assert.Equal(PasskeyErrors.Expired, page.Document.QuerySelector("#login-error")?.TextContent);
            Assert.False(replay.Headers.TryGetValues("Set-Cookie", out var cookies)
                && cookies.Any(c => c.StartsWith("idp.session=", StringComparison.Ordinal) && !c.StartsWith("idp.session=;", StringComparison.Ordinal)));
        }

        Assert.Equal(IdentityProviderCluster.NodeCount, _session.NodesOf(replays).Distinct().Count());
        Assert.Contains(_session.NodesOf(replays), node => node != cluster.NodeOf(answer).Name);
        // Each node that refused it says why in the audit trail.
        Assert.Equal(IdentityProviderCluster.NodeCount, await cluster.WithDbAsync(db => db.AuditEvents.CountAsync(e =>
            e.Id > auditBefore && e.Action == "passkey.sign_in_failed" && e.Outcome == AuditOutcome.Failure
            && e.Details!.Contains("unknown, expired or used ceremony"))));
    }

    /// <summary>A browser as the hosted pages' script is: it names the page's origin on every post.</summary>
    private HttpClient Browser()
    {
        var browser = _session.NewBrowser();
        browser.DefaultRequestHeaders.Add("Origin", cluster.Issuer);
        return browser;
    }

    /// <summary>The user signs in with the password on the login page and adds a passkey on the Security page.</summary>
    private async Task<(HttpResponseMessage Begin, HttpResponseMessage Finish)> RegisterOnTheSecurityPageAsync(ClusterUser user)
    {
        var browser = Browser();
        await HostedSignIn.ToAccountAsync(browser, user);
        return await HostedPasskeys.RegisterAsync(browser, _authenticator, cluster.Issuer, "Laptop");
    }
}
