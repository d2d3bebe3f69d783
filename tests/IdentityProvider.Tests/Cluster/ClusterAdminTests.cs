using System.Net;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>
/// An administrator disables a user's second factor across the cluster, from the console and from
/// the admin API: whichever node serves the user next asks for the password only, the change is
/// audited once, and every administrator is told once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterAdminTests(IdentityProviderCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly ClusterSession _session = cluster.BeginTest(output);

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task DisablesAUsersMfa_FromTheConsole_WhileItsPageAndItsPostLandOnDifferentNodes()
    {
        var (admin, adminSecret, user) = await AdministratorAndUserWithTotpAsync();
        var console = _session.NewBrowser();
        // The console wants a session that proved two factors, as administrators always do.
        await HostedSignIn.ToAccountAsync(console, admin, adminSecret);

        var detail = await console.GetPageAsync($"/admin/users/{user.Id}");
        var disabled = await console.SubmitAsync(detail, new Dictionary<string, string>(), "#disable-mfa-form");

        Assert.Equal(HttpStatusCode.SeeOther, disabled.StatusCode);
        var steps = _session.Trail.Where(s => s.Path == $"/admin/users/{user.Id}").ToList();
        Assert.Equal(["GET", "POST"], steps.Select(s => s.Method));
        Assert.NotEqual(steps[0].Node, steps[1].Node);
        await AssertDisabledOnceAndAnnouncedAsync(user, admin);
        await AssertSignsInWithThePasswordOnlyAsync(user);
    }

    [Fact]
    public async Task DisablesAUsersMfa_ThroughTheAdminApi_WithAnAdministratorsToken_AndSaysSoOnceOnEveryNode()
    {
        var (admin, adminSecret, user) = await AdministratorAndUserWithTotpAsync();
        var tool = await cluster.RegisterClientAsync(["openid", "idp.admin"]);
        var browser = _session.NewBrowser();
        var flow = tool.Flow(browser);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(await HostedSignIn.WithTotpAsync(browser, flow, admin, adminSecret, "openid idp.admin")));
        var accessToken = tokens.GetProperty("access_token").GetString()!;

        // The same call on every node: the first removes the app, the others find nothing to remove.
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < IdentityProviderCluster.NodeCount; i++)
        {
            answers.Add(await ClusterClient.BearerAsync(browser, HttpMethod.Delete, $"/admin/api/users/{user.Id}/mfa", accessToken));
        }

        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.NotFound], answers.Select(a => a.StatusCode));
        Assert.Equal(IdentityProviderCluster.NodeCount, _session.NodesOf(answers).Distinct().Count());
        await AssertDisabledOnceAndAnnouncedAsync(user, admin);
        await AssertSignsInWithThePasswordOnlyAsync(user);
    }

    /// <summary>An administrator and a user, each with an authenticator app (the administrator's secret is returned for the console's second step).</summary>
    private async Task<(ClusterUser Admin, string AdminSecret, ClusterUser User)> AdministratorAndUserWithTotpAsync()
    {
        var admin = await cluster.CreateAdministratorAsync();
        var adminSecret = await cluster.EnrolTotpAsync(admin.Id);
        var user = await cluster.CreatePasswordUserAsync();
        await cluster.EnrolTotpAsync(user.Id);
        return (admin, adminSecret, user);
    }

    /// <summary>
    /// No authenticator app left, one audit row by <paramref name="admin"/>, and one notice to each
    /// administrator in the database (other tests of the collection add theirs) and to no one else.
    /// </summary>
    private async Task AssertDisabledOnceAndAnnouncedAsync(ClusterUser user, ClusterUser admin)
    {
        Assert.False(await cluster.WithDbAsync(db => db.UserTotpSecrets.AnyAsync(s => s.UserId == user.Id)));
        Assert.Equal(1, await cluster.WithDbAsync(db => db.AuditEvents.CountAsync(e =>
            e.Action == AuditActions.MfaDisabled && e.Outcome == AuditOutcome.Success && e.TargetId == user.Id && e.Actor == admin.Id)));
        var administrators = await cluster.WithDbAsync(db => (
            from userRole in db.UserRoles
            join role in db.Roles on userRole.RoleId equals role.Id
            join account in db.Users on userRole.UserId equals account.Id
            where role.Name == Roles.Administrator && account.Email != null
            select account.Email!).ToListAsync());
        var notices = await cluster.WithDbAsync(db => db.EmailOutbox
            .Where(m => m.TextBody.Contains("(" + user.UserName + "@example.com)"))
            .Select(m => m.To).ToListAsync());
        Assert.Contains(admin.UserName + "@example.com", administrators);
        Assert.Equal(administrators.Order(StringComparer.Ordinal), notices.Order(StringComparer.Ordinal));
    }

    /// <summary>A new sign-in, on whichever nodes nginx picks, that asks for no code and says so in the ID token.</summary>
    private async Task AssertSignsInWithThePasswordOnlyAsync(ClusterUser user)
    {
        var client = await cluster.RegisterClientAsync();
        var browser = _session.NewBrowser();
        var flow = client.Flow(browser);

        var redeemed = await flow.RedeemAsync(await HostedSignIn.WithPasswordAsync(browser, flow, user));

        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var idToken = new JsonWebToken((await CodeFlow.JsonAsync(redeemed)).GetProperty("id_token").GetString());
        Assert.Equal(user.Id, idToken.Subject);
        Assert.Equal(["pwd"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
    }
}
