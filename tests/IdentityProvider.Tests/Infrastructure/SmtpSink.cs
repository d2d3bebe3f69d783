using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
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
    private readonly Process _process;
    private readonly List<ReceivedEmail> _messages = [];
    private readonly StringBuilder _stderr = new();
    private readonly Task _reading;
    private readonly Task _stderrReading;
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SmtpSink(Process process)
    {
        _process = process;
        _reading = ReadStdoutAsync();
        _stderrReading = PumpStderrAsync();
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
        var interop = Path.Combine(NodeScript.RepositoryRoot(), "tests", "interop");
        if (!Directory.Exists(Path.Combine(interop, "node_modules", "smtp-server")))
        {
            throw new InvalidOperationException($"smtp-server is not installed in {interop}. Run 'npm ci --prefix tests/interop' (./test.sh does this).");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = interop,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(interop, "smtp-sink.mjs"));
        start.Environment["INTEROP_INPUT"] = JsonSerializer.Serialize(new { port });
        start.Environment["NODE_NO_WARNINGS"] = "1";

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception error)
        {
            throw new InvalidOperationException("'node' was not found on PATH. Install Node.js 20 or later with npm; ./test.sh checks for it.", error);
        }

        var sink = new SmtpSink(process);
        try
        {
            sink.Port = await sink._listening.Task.WaitAsync(TimeSpan.FromSeconds(20));
            return sink;
        }
        catch (Exception error) when (error is TimeoutException or InvalidOperationException)
        {
            await sink.DisposeAsync();
            throw new InvalidOperationException($"smtp-sink.mjs did not start listening. stderr:\n{sink.Stderr()}", error);
        }
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
                throw new TimeoutException($"Expected {count} messages, received {Messages.Count}. stderr:\n{Stderr()}");
            }

            await Task.Delay(20);
        }

        return Messages;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Closing stdin lets the server close its port cleanly; a kill is the fallback.
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        await Task.WhenAll(_reading, _stderrReading);
        _process.Dispose();
    }

    private async Task ReadStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.TryGetProperty("listening", out var port))
            {
                _listening.TrySetResult(port.GetInt32());
            }
            else if (root.TryGetProperty("message", out var message))
            {
                var received = message.Deserialize<ReceivedEmail>(JsonSerializerOptions.Web)!;
                lock (_messages)
                {
                    _messages.Add(received);
                }
            }
        }

        _listening.TrySetException(new InvalidOperationException("smtp-sink.mjs exited."));
    }

    private async Task PumpStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_stderr)
            {
                _stderr.AppendLine(line);
            }
        }
    }

    private string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString();
        }
    }
}
