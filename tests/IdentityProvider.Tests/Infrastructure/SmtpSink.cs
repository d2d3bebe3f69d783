using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>A message as the SMTP server received and parsed it (npm <c>smtp-server</c> + <c>mailparser</c>).</summary>
public sealed record ReceivedEmail(
    string? EnvelopeFrom,
    IReadOnlyList<string> EnvelopeTo,
    string? From,
    string? To,
    string? Subject,
    string? Text,
    string? Html,
    string? MessageId,
    string? User);

/// <summary>
/// A real SMTP server on a loopback port (<c>tests/interop/smtp-sink.mjs</c> under Node), so the
/// provider's mail goes through an actual SMTP conversation and is read back as a mail client
/// would parse it. It accepts every message, with or without credentials.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly List<ReceivedEmail> _messages = [];
    private NodeServer _server = null!;

    private SmtpSink()
    {
    }

    public int Port { get; private set; }

    public IReadOnlyList<ReceivedEmail> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <param name="port">0 for any free port; a fixed one to bring a server up where a client already points</param>
    public static async Task<SmtpSink> StartAsync(int port = 0)
    {
        var sink = new SmtpSink();
        var (server, listening) = await NodeServer.StartAsync("smtp-sink", "smtp-server", JsonSerializer.Serialize(new { port }), sink.Record);
        sink._server = server;
        sink.Port = listening.GetProperty("listening").GetInt32();
        return sink;
    }

    /// <summary>A loopback port nothing listens on (for "server down"), free to start a sink on later.</summary>
    public static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Waits until at least <paramref name="count"/> messages arrived. The SMTP client returns once
    /// the server has accepted the data; reading the report back is asynchronous, hence the wait.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedEmail>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (Messages.Count < count)
        {
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException($"Expected {count} messages, received {Messages.Count}. stderr:\n{_server.Stderr()}");
            }

            await Task.Delay(20);
        }

        return Messages;
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private void Record(JsonElement message)
    {
        if (message.TryGetProperty("message", out var received))
        {
            lock (_messages)
            {
                _messages.Add(received.Deserialize<ReceivedEmail>(JsonSerializerOptions.Web)!);
            }
        }
    }
}
