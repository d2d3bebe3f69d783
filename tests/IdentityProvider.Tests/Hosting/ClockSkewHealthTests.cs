using System.Net;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// Readiness compares the node's clock (its TimeProvider, which tokens and TOTP codes use) with the
/// database server's. A node whose clock is off by more than Health:MaxClockSkew (10 s by default)
/// is reported unready, so the load balancer stops sending it sign-ins.
/// </summary>
public sealed class ClockSkewHealthTests
{
    [Theory]
    [InlineData(0, HttpStatusCode.OK)]
    [InlineData(3, HttpStatusCode.OK)]
    [InlineData(-3, HttpStatusCode.OK)]
    [InlineData(60, HttpStatusCode.ServiceUnavailable)]
    [InlineData(-60, HttpStatusCode.ServiceUnavailable)]
    [InlineData(3600, HttpStatusCode.ServiceUnavailable)]
    public async Task ReportsReadiness_ByHowFarTheNodesClockIsFromTheDatabases(int skewSeconds, HttpStatusCode expected)
    {
        using var database = TestDatabase.Sqlite();
        // A FakeTimeProvider stands still; the database's clock (SQLite reads the machine's) moves
        // on by the few seconds the host takes to start, well inside the 10 s bound.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(skewSeconds));
        await using var factory = new IdentityProviderFactory(database, time);
        using var client = factory.CreateBrowserlessClient();
        time.SetUtcNow(DateTimeOffset.UtcNow.AddSeconds(skewSeconds));

        var ready = await client.GetAsync("/health/ready");

        Assert.Equal(expected, ready.StatusCode);
        // Liveness never depends on the clock: a skewed node is taken out of rotation, not killed.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(expected != HttpStatusCode.OK,
            factory.Logs.Lines.Any(l => l.Contains("Readiness check failed: clock skew", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task HonoursAConfiguredBound()
    {
        using var database = TestDatabase.Sqlite();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = new IdentityProviderFactory(database, time, settings: new Dictionary<string, string> { ["Health:MaxClockSkew"] = "00:05:00" });
        using var client = factory.CreateBrowserlessClient();
        time.SetUtcNow(DateTimeOffset.UtcNow.AddMinutes(2));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        time.SetUtcNow(DateTimeOffset.UtcNow.AddMinutes(6));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
    }
}
