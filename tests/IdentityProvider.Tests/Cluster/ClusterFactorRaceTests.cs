using System.Net;
using System.Text.RegularExpressions;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Pages.Account;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>The single-use ways back into an account, raced across nodes: recovery codes and lost-device links.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class ClusterFactorRaceTests(IdentityProviderCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly ClusterSession _session = cluster.BeginTest(output);

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task AcceptsOneRecoveryCodeOnce_WhenThreeSessionsOnThreeNodesRedeemItTogether()
    {
        var user = await cluster.CreatePasswordUserAsync();
        await cluster.EnrolTotpAsync(user.Id);
        var codes = await cluster.WithServicesAsync(s => s.GetRequiredService<RecoveryCodeService>().GenerateAsync(user.Id, CancellationToken.None));
        var client = await cluster.RegisterClientAsync();
        const string recoveryPath = SignInSteps.SecondFactorPath + "?method=recovery";
        var pages = new List<(HttpClient Browser, HtmlPage Page)>();
        for (var i = 0; i < IdentityProviderCluster.NodeCount; i++)
        {
            var browser = _session.NewBrowser();
            await HostedSignIn.PasswordAsync(browser, client.Flow(browser), user);
            pages.Add((browser, await browser.GetPageAsync(recoveryPath)));
        }

        var responses = await Task.WhenAll(pages.Select(p => p.Browser.SubmitAsync(p.Page, new Dictionary<string, string> { ["Code"] = codes[0] })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.SeeOther);
        Assert.Equal(RecoveryUsedModel.Path, responses.Single(r => r.StatusCode == HttpStatusCode.SeeOther).Headers.Location!.OriginalString);
        Assert.Equal(IdentityProviderCluster.NodeCount - 1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(IdentityProviderCluster.NodeCount, _session.NodesOf(responses).Distinct().Count());
        Assert.Equal(codes.Count - 1, await cluster.WithServicesAsync(s => s.GetRequiredService<RecoveryCodeService>().CountRemainingAsync(user.Id, CancellationToken.None)));
    }

    [Fact]
    public async Task AcceptsALostDeviceLinkOnce_WhenTwoBrowsersOnTwoNodesUseItTogether()
    {
        var user = await cluster.CreatePasswordUserAsync();
        await cluster.EnrolTotpAsync(user.Id);
        var requester = _session.NewBrowser();
        var form = await requester.GetPageAsync(LostDeviceModel.Path);
        // The form answers every request alike, with a redirect to "check your email".
        Assert.Equal(HttpStatusCode.SeeOther, (await requester.SubmitAsync(form, new Dictionary<string, string> { ["Login"] = user.UserName })).StatusCode);
        var mail = await cluster.WithDbAsync(db => db.EmailOutbox.SingleAsync(m => m.To == user.UserName + "@example.com"));
        var link = LinkPattern().Match(mail.TextBody).Value;
        Assert.StartsWith(cluster.Issuer + LostDeviceRecoverModel.Path, link, StringComparison.Ordinal);
        var a = _session.NewBrowser();
        var b = _session.NewBrowser();
        var formA = await a.GetPageAsync(link);
        var formB = await b.GetPageAsync(link);
        var values = new Dictionary<string, string> { ["Username"] = user.UserName, ["Password"] = user.Password };

        var answers = await Task.WhenAll(a.SubmitAsync(formA, values), b.SubmitAsync(formB, values));

        Assert.Single(answers, r => r.StatusCode == HttpStatusCode.SeeOther);
        var refused = await HtmlForms.ReadPageAsync(answers.Single(r => r.StatusCode != HttpStatusCode.SeeOther), link);
        Assert.Equal(LostDeviceRecoverModel.InvalidLinkText, refused.Document.QuerySelector("#link-invalid")!.TextContent);
        Assert.NotEqual(_session.NodesOf(answers)[0], _session.NodesOf(answers)[1]);
        Assert.False(await cluster.WithDbAsync(db => db.UserTotpSecrets.AnyAsync(s => s.UserId == user.Id)));
        Assert.Equal(1, await cluster.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "mfa.lost_device_recovered" && e.Outcome == AuditOutcome.Success && e.TargetId == user.Id)));
    }

    [GeneratedRegex(@"http://localhost:\d+/account/lost-device/recover\?token=[A-Za-z0-9_-]+")]
    private static partial Regex LinkPattern();
}
