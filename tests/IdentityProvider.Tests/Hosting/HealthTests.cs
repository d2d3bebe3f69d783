using System.Net;
using IdentityProvider.Persistence;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Hosting;

public sealed class HealthTests
{
    [Fact]
    public async Task Ready_AnswersOk_OnAFreshSqliteDatabase()
    {
        using var database = TestDatabase.EmptySqlite();
        await using var factory = new IdentityProviderFactory(database);
        using var client = factory.CreateBrowserlessClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    /// <summary>Uses a cluster of its own: stopping the shared one would break other tests.</summary>
    [Fact]
    public async Task Ready_FailsWhileDatabaseIsDown_AndRecoversWhenItReturns()
    {
        var cluster = new PostgresCluster();
        await cluster.InitializeAsync();
        try
        {
            using var database = await TestDatabase.PostgresAsync(cluster);
            await using var factory = new IdentityProviderFactory(database);
            using var client = factory.CreateBrowserlessClient();
            Assert.True(HttpStatusCode.OK == (await client.GetAsync("/health/ready")).StatusCode, "ready before the outage");

            await cluster.StopAsync();

            Assert.True(HttpStatusCode.ServiceUnavailable == (await client.GetAsync("/health/ready")).StatusCode, "not ready during the outage");
            // Liveness does not depend on the database: an outage must not make the orchestrator kill every node.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            Assert.Contains(factory.Logs.Lines, l => l.Contains("Readiness check failed: database unreachable", StringComparison.Ordinal));

            await cluster.StartAsync();

            var recovered = await ReadyStatusOnceSettledAsync(client);
            Assert.True(HttpStatusCode.OK == recovered, "ready again after the database returned; last log: "
                + factory.Logs.Lines.LastOrDefault(l => l.Contains("Readiness", StringComparison.Ordinal)));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    // The server needs a moment to accept connections after pg_ctl returns, more on a loaded
    // machine. Bounded, so a node that does not recover still fails the test.
    private static async Task<HttpStatusCode> ReadyStatusOnceSettledAsync(HttpClient client)
    {
        var status = HttpStatusCode.ServiceUnavailable;
        for (var attempt = 0; attempt < 60 && status != HttpStatusCode.OK; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(250);
            }

            status = (await client.GetAsync("/health/ready")).StatusCode;
        }

        return status;
    }
}
