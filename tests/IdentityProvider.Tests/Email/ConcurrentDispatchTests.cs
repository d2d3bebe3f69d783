using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Email;

public sealed class SqliteConcurrentDispatchTests : ConcurrentDispatchTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresConcurrentDispatchTests(PostgresCluster cluster) : ConcurrentDispatchTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>Two nodes on one database drain the same outbox at the same moment.</summary>
public abstract class ConcurrentDispatchTests : IAsyncLifetime
{
    private const int MessageCount = 40;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private IdentityProviderFactory _nodeA = null!;
    private IdentityProviderFactory _nodeB = null!;
    private SmtpSink _sink = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _nodeA = new IdentityProviderFactory(_database, _time);
        _nodeB = new IdentityProviderFactory(_database, _time);
        _sink = await SmtpSink.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
        await _sink.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task TwoNodes_DeliverEachMessageExactlyOnce()
    {
        // Small batches, so the two nodes keep reaching for the same rows.
        var settings = new Dictionary<string, string> { ["Email:BatchSize"] = "3" };
        var a = EmailHost.Configure(_nodeA, _sink.Port, settings);
        var b = EmailHost.Configure(_nodeB, _sink.Port, settings);
        for (var i = 0; i < MessageCount; i++)
        {
            await a.QueueAsync(new EmailMessage($"user{i}@example.com", $"Message {i}", $"Body {i}"));
        }

        var dispatchers = new[] { a.Dispatcher(), b.Dispatcher(), a.Dispatcher(), b.Dispatcher() };
        using var start = new SemaphoreSlim(0);
        var drains = dispatchers.Select(async dispatcher =>
        {
            await start.WaitAsync();
            return await dispatcher.DrainOnceAsync(CancellationToken.None);
        }).ToList();
        start.Release(drains.Count);
        var sent = await Task.WhenAll(drains);

        Assert.Equal(MessageCount, sent.Sum());
        var received = await _sink.WaitForAsync(MessageCount);
        await Task.Delay(200);
        Assert.Equal(MessageCount, _sink.Messages.Count);
        Assert.Equal(Enumerable.Range(0, MessageCount).Select(i => $"Message {i}").Order(), received.Select(m => m.Subject!).Order());
        var rows = await a.OutboxAsync();
        Assert.All(rows, row => Assert.Equal((EmailOutboxStatus.Sent, 1, (string?)null), (row.Status, row.Attempts, row.ClaimedBy)));
        // Both nodes took part, or the test proved nothing about claiming.
        Assert.True(sent[0] + sent[2] > 0 && sent[1] + sent[3] > 0, $"One node sent everything: {string.Join(", ", sent)}");
    }
}
