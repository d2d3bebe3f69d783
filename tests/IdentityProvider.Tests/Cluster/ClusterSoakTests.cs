using System.Diagnostics;
using System.Globalization;
using System.Net;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Infrastructure.Cluster;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Cluster;

/// <summary>
/// A bounded soak: for <c>SOAK_SECONDS</c> (default 60) a few workers send a relying party's and an
/// administrator's everyday traffic through nginx — hosted sign-ins with a password or a password and
/// a TOTP code, code redemption, refresh-token rotation chains, UserInfo, introspection, admin API
/// reads — and every answer must be the expected one. Its figures (per operation count, rate, p50 and
/// p95; each node's memory at start and end) go to the test output and <c>TestResults/soak.json</c>;
/// docs/performance.md quotes a run. Latencies are reported, never asserted.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterSoakTests(IdentityProviderCluster cluster, ITestOutputHelper output)
{
    private const int Workers = 4;
    private const int RefreshesPerVisit = 3;

    // A TOTP user signs in at most once per 30-second step (the code of a step is accepted once),
    // so TOTP sign-ins are capped at this many per step; password-only users take the other visits.
    private const int TotpUsers = 16;
    private const int PasswordUsers = 8;

    private const string SignInWithPassword = "sign-in: password";
    private const string SignInWithTotp = "sign-in: password + TOTP";

    [Fact]
    public async Task ServesAMixedLoadThroughNginxWithoutASingleError_AndNoNodesMemoryRunsAway()
    {
        var duration = TimeSpan.FromSeconds(int.Parse(Environment.GetEnvironmentVariable("SOAK_SECONDS") ?? "60", CultureInfo.InvariantCulture));
        var client = await cluster.RegisterClientAsync();
        var pool = await UserPool.CreateAsync(cluster);
        var recorder = new SoakRecorder(cluster);
        using var api = recorder.NewClient(cookies: false);
        var adminToken = await AdministratorTokenAsync(recorder);

        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            for (var visit = worker; stopwatch.Elapsed < duration; visit += Workers)
            {
                try
                {
                    await VisitAsync(recorder, pool, client, api, adminToken, adminReads: visit % 2 == 0);
                }
                catch (SoakStepFailedException)
                {
                    // Recorded; the next visit starts afresh.
                }
            }
        })));
        var report = recorder.Report(stopwatch.Elapsed, Workers);

        output.WriteLine(report.ToMarkdown());
        foreach (var error in report.Errors.Take(50))
        {
            output.WriteLine(error);
        }

        var file = Path.Combine(NodeScript.RepositoryRoot(), "TestResults", "soak.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, report.ToJson());
        output.WriteLine("Figures written to " + file);

        Assert.Empty(report.Errors);
        Assert.Equal(0, report.ServerErrors);
        Assert.Contains(report.Operations, o => o.Operation == SignInWithTotp && o.Count > 0);
        Assert.All(report.Nodes, node =>
        {
            Assert.True(node.Served > 0, $"{node.Node} served no request");
            // A leak check, not a measurement: a node may warm up and grow its heap, not double it and more.
            Assert.True(node.RssEndMb < 2 * node.RssStartMb + 200, $"{node.Node} grew from {node.RssStartMb} MB to {node.RssEndMb} MB");
        });
    }

    /// <summary>One user's visit to the relying party, and, every other time, an administrator's look at users and audit.</summary>
    private static async Task VisitAsync(SoakRecorder recorder, UserPool pool, ClusterClient client, HttpClient api, string adminToken, bool adminReads)
    {
        using var browser = recorder.NewClient(cookies: true);
        var flow = client.Flow(browser);
        string code;
        var (user, secret) = pool.Take();
        try
        {
            code = secret is null
                ? await recorder.MeasureAsync(SignInWithPassword, () => HostedSignIn.WithPasswordAsync(browser, flow, user))
                : await recorder.MeasureAsync(SignInWithTotp, () => HostedSignIn.WithTotpAsync(browser, flow, user, secret));
        }
        finally
        {
            pool.Return(user);
        }

        var tokens = await recorder.MeasureAsync("token: authorization_code", async () =>
            await CodeFlow.JsonAsync(await SoakRecorder.ExpectAsync(await flow.RedeemAsync(code), HttpStatusCode.OK)));
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        await recorder.MeasureAsync("userinfo", async () =>
        {
            var claims = await CodeFlow.JsonAsync(await SoakRecorder.ExpectAsync(await ClusterClient.UserInfoAsync(api, accessToken), HttpStatusCode.OK));
            return claims.GetProperty("sub").GetString() == user.Id ? true : throw new InvalidOperationException("UserInfo named another subject");
        });
        await recorder.MeasureAsync("introspection", async () =>
        {
            var answer = await CodeFlow.JsonAsync(await SoakRecorder.ExpectAsync(await client.IntrospectAsync(api, accessToken), HttpStatusCode.OK));
            return answer.GetProperty("active").GetBoolean() ? true : throw new InvalidOperationException("a fresh access token introspected as inactive");
        });
        for (var i = 0; i < RefreshesPerVisit; i++)
        {
            // RFC 6749 §6 with rotation: each refresh hands out a new refresh token, which the next one uses.
            var used = refreshToken;
            refreshToken = await recorder.MeasureAsync("token: refresh_token", async () =>
            {
                var refreshed = await CodeFlow.JsonAsync(await SoakRecorder.ExpectAsync(await flow.RefreshAsync(used), HttpStatusCode.OK));
                var next = refreshed.GetProperty("refresh_token").GetString()!;
                return next != used ? next : throw new InvalidOperationException("the refresh token was not rotated");
            });
        }

        if (adminReads)
        {
            await recorder.MeasureAsync("admin API: users", async () =>
                await SoakRecorder.ExpectAsync(await ClusterClient.BearerAsync(api, HttpMethod.Get, "/admin/api/users", adminToken), HttpStatusCode.OK));
            await recorder.MeasureAsync("admin API: audit", async () =>
                await SoakRecorder.ExpectAsync(await ClusterClient.BearerAsync(api, HttpMethod.Get, "/admin/api/audit", adminToken), HttpStatusCode.OK));
        }
    }

    /// <summary>An administrator's access token for the admin API, from a sign-in with password and TOTP (an hour's lifetime outlasts the soak).</summary>
    private async Task<string> AdministratorTokenAsync(SoakRecorder recorder)
    {
        var admin = await cluster.CreateAdministratorAsync();
        var secret = await cluster.EnrolTotpAsync(admin.Id);
        var tool = await cluster.RegisterClientAsync(["openid", "idp.admin"]);
        using var browser = recorder.NewClient(cookies: true);
        var flow = tool.Flow(browser);
        var code = await HostedSignIn.WithTotpAsync(browser, flow, admin, secret, "openid idp.admin");
        var tokens = await CodeFlow.JsonAsync(await SoakRecorder.ExpectAsync(await flow.RedeemAsync(code), HttpStatusCode.OK));
        return tokens.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// The soak's users: TOTP users are handed out only when their last sign-in was in an earlier
    /// time step than now (and to one worker at a time), password-only users otherwise.
    /// </summary>
    private sealed class UserPool
    {
        private readonly List<(ClusterUser User, string Secret)> _totp = [];
        private readonly List<ClusterUser> _password = [];
        private readonly Dictionary<string, long> _lastStep = new(StringComparer.Ordinal);
        private readonly HashSet<string> _inUse = new(StringComparer.Ordinal);
        private int _next;

        public static async Task<UserPool> CreateAsync(IdentityProviderCluster cluster)
        {
            var pool = new UserPool();
            for (var i = 0; i < TotpUsers; i++)
            {
                var user = await cluster.CreatePasswordUserAsync();
                pool._totp.Add((user, await cluster.EnrolTotpAsync(user.Id)));
            }

            for (var i = 0; i < PasswordUsers; i++)
            {
                pool._password.Add(await cluster.CreatePasswordUserAsync());
            }

            return pool;
        }

        public (ClusterUser User, string? Secret) Take()
        {
            lock (_inUse)
            {
                var now = Step();
                foreach (var (user, secret) in _totp)
                {
                    if (!_inUse.Contains(user.Id) && _lastStep.GetValueOrDefault(user.Id, long.MinValue) < now)
                    {
                        _inUse.Add(user.Id);
                        return (user, secret);
                    }
                }

                return (_password[_next++ % _password.Count], null);
            }
        }

        /// <summary>
        /// The step now, at the end of the sign-in, is no earlier than the step of the code it
        /// used, so waiting for a later one never replays that code.
        /// </summary>
        public void Return(ClusterUser user)
        {
            lock (_inUse)
            {
                if (_inUse.Remove(user.Id))
                {
                    _lastStep[user.Id] = Step();
                }
            }
        }

        private static long Step() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() / Rfc6238.StepSeconds;
    }
}
