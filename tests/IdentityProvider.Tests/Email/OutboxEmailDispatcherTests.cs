using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Email;

public sealed class OutboxEmailDispatcherTests : IAsyncLifetime
{
    private const string SecretLink = "https://idp.example/account/recover?token=Zx9-single-use-4711";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private IdentityProviderFactory _factory = null!;
    private SmtpSink? _sink;

    public async Task InitializeAsync()
    {
        _factory = new IdentityProviderFactory(_database, _time);
        _sink = await SmtpSink.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        if (_sink is not null)
        {
            await _sink.DisposeAsync();
        }

        _database.Dispose();
    }

    private static EmailMessage Message(string to = "ada@example.com") =>
        new(to, "Your recovery link", $"Follow {SecretLink} within 30 minutes.", $"<p><a href=\"{SecretLink}\">Recover</a></p>");

    [Fact]
    public async Task Delivers_AQueuedMessage_WithSubjectRecipientAndBody()
    {
        var app = EmailHost.Configure(_factory, _sink!.Port);
        await app.QueueAsync(Message());

        var sent = await app.Dispatcher().DrainOnceAsync(CancellationToken.None);

        Assert.Equal(1, sent);
        var received = Assert.Single(await _sink.WaitForAsync(1));
        Assert.Equal(["ada@example.com"], received.EnvelopeTo);
        Assert.Equal(EmailHost.FromAddress, received.EnvelopeFrom);
        Assert.Equal($"\"Example Sign-in\" <{EmailHost.FromAddress}>", received.From);
        Assert.Equal("Your recovery link", received.Subject);
        Assert.Contains(SecretLink, received.Text, StringComparison.Ordinal);
        Assert.Contains($"href=\"{SecretLink}\"", received.Html, StringComparison.Ordinal);
        var row = Assert.Single(await app.OutboxAsync());
        Assert.Equal(EmailOutboxStatus.Sent, row.Status);
        Assert.Equal(_time.GetUtcNow(), row.SentAt);
        Assert.Equal(1, row.Attempts);
        Assert.Null(row.ClaimedBy);
        Assert.Equal($"<{row.Id:N}@idp.example>", received.MessageId);
    }

    [Fact]
    public async Task Sends_WithCredentials_WhenAUserNameIsConfigured()
    {
        var app = EmailHost.Configure(_factory, _sink!.Port, new Dictionary<string, string>
        {
            ["Email:Smtp:UserName"] = "relay-user",
            ["Email:Smtp:Password"] = "relay-password",
        });
        await app.QueueAsync(Message());

        await app.Dispatcher().DrainOnceAsync(CancellationToken.None);

        Assert.Equal("relay-user", Assert.Single(await _sink.WaitForAsync(1)).User);
    }

    [Fact]
    public async Task Keeps_TheMessagePending_WhenTheServerIsDown_AndDeliversItAfterTheBackoff()
    {
        await _sink!.DisposeAsync();
        _sink = null;
        var port = SmtpSink.UnusedPort();
        var app = EmailHost.Configure(_factory, port);
        await app.QueueAsync(Message());

        Assert.Equal(0, await app.Dispatcher().DrainOnceAsync(CancellationToken.None));

        var waiting = Assert.Single(await app.OutboxAsync());
        Assert.Equal(EmailOutboxStatus.Pending, waiting.Status);
        Assert.Equal(1, waiting.Attempts);
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), waiting.NextAttemptAt);
        Assert.NotNull(waiting.LastError);
        Assert.Null(waiting.ClaimedBy);

        _sink = await SmtpSink.StartAsync(port);
        Assert.Equal(0, await app.Dispatcher().DrainOnceAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await app.Dispatcher().DrainOnceAsync(CancellationToken.None));

        Assert.Equal("Your recovery link", Assert.Single(await _sink.WaitForAsync(1)).Subject);
        var sent = Assert.Single(await app.OutboxAsync());
        Assert.Equal(EmailOutboxStatus.Sent, sent.Status);
        Assert.Equal(2, sent.Attempts);
    }

    [Fact]
    public async Task MarksTheMessageFailed_AfterMaxAttempts_WithBackoffBetween()
    {
        var app = EmailHost.Configure(_factory, SmtpSink.UnusedPort(), new Dictionary<string, string> { ["Email:MaxAttempts"] = "3" });
        await app.QueueAsync(Message());
        var dispatcher = app.Dispatcher();

        await dispatcher.DrainOnceAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        await dispatcher.DrainOnceAsync(CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().AddMinutes(1), Assert.Single(await app.OutboxAsync()).NextAttemptAt);
        _time.Advance(TimeSpan.FromMinutes(1));
        await dispatcher.DrainOnceAsync(CancellationToken.None);

        var failed = Assert.Single(await app.OutboxAsync());
        Assert.Equal(EmailOutboxStatus.Failed, failed.Status);
        Assert.Equal(3, failed.Attempts);
        Assert.Contains(_factory.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains(failed.Id.ToString(), StringComparison.Ordinal));

        _time.Advance(TimeSpan.FromHours(2));
        await dispatcher.DrainOnceAsync(CancellationToken.None);
        Assert.Equal(3, Assert.Single(await app.OutboxAsync()).Attempts);
    }

    [Fact]
    public async Task Keeps_MessagesInTheOutbox_AndWarns_WhenNoSmtpHostIsConfigured()
    {
        var app = EmailHost.Configure(_factory, smtpPort: null);
        await app.QueueAsync(Message());

        Assert.Equal(0, await app.Dispatcher().DrainOnceAsync(CancellationToken.None));

        var waiting = Assert.Single(await app.OutboxAsync());
        Assert.Equal(EmailOutboxStatus.Pending, waiting.Status);
        Assert.Equal(0, waiting.Attempts);
        Assert.Contains(_factory.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Email:Smtp:Host is not configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_NeitherBodiesNorRecipientAddresses()
    {
        var app = EmailHost.Configure(_factory, _sink!.Port, new Dictionary<string, string> { ["Email:MaxAttempts"] = "1" });
        var down = EmailHost.Configure(_factory, SmtpSink.UnusedPort(), new Dictionary<string, string> { ["Email:MaxAttempts"] = "1" });
        await app.QueueAsync(Message("grace.hopper@example.com"));
        await app.Dispatcher().DrainOnceAsync(CancellationToken.None);
        await down.QueueAsync(Message("alan.turing@example.org"));
        await down.Dispatcher().DrainOnceAsync(CancellationToken.None);

        Assert.Single(await _sink.WaitForAsync(1));
        var lines = _factory.Logs.Lines;
        Assert.Contains(lines, line => line.Contains("example.com", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains("example.org", StringComparison.Ordinal));
        foreach (var secret in new[] { "Zx9-single-use-4711", "Follow ", "grace.hopper", "alan.turing" })
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task Rejects_AMessage_WhoseSubjectHasALineBreak()
    {
        var app = EmailHost.Configure(_factory, _sink!.Port);

        await Assert.ThrowsAsync<ArgumentException>(() => app.QueueAsync(Message() with { Subject = "Hi\r\nBcc: eve@example.net" }));

        Assert.Empty(await app.OutboxAsync());
    }
}
