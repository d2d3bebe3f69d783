using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// A long-running server script of <c>tests/interop</c> under Node (<c>smtp-sink.mjs</c>,
/// <c>upstream-provider.mjs</c>). The protocol, unlike the request/response scripts of <see cref="NodeScript"/>:
/// <list type="bullet">
/// <item>the input goes in as JSON in the <c>INTEROP_INPUT</c> environment variable;</item>
/// <item>every stdout line is one JSON object; the first one with a <c>listening</c> property says the
/// server accepts connections, every other one goes to the owner's message handler;</item>
/// <item>the server stops when its stdin closes (<see cref="DisposeAsync"/>).</item>
/// </list>
/// </summary>
public sealed class NodeServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string _script;
    private readonly Process _process;
    private readonly Action<JsonElement> _onMessage;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<JsonElement> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;
    private readonly Task _stderrReading;

    private NodeServer(string script, Process process, Action<JsonElement> onMessage)
    {
        _script = script;
        _process = process;
        _onMessage = onMessage;
        _reading = ReadStdoutAsync();
        _stderrReading = PumpStderrAsync();
    }

    /// <summary>
    /// Starts <paramref name="script"/> and waits for its <c>listening</c> message, which is returned.
    /// A script that exits or stays silent fails here, with its stderr in the exception.
    /// </summary>
    /// <param name="script">a file name in <c>tests/interop</c>, without <c>.mjs</c></param>
    /// <param name="package">an npm package the script imports, checked to give a useful message when <c>npm ci</c> was not run</param>
    /// <param name="inputJson">the script's input, already serialized (the scripts differ in naming conventions)</param>
    /// <param name="onMessage">called on the reading thread for every message but the first <c>listening</c> one</param>
    public static async Task<(NodeServer Server, JsonElement Listening)> StartAsync(
        string script, string package, string inputJson, Action<JsonElement> onMessage)
    {
        var interop = Path.Combine(NodeScript.RepositoryRoot(), "tests", "interop");
        if (!Directory.Exists(Path.Combine(interop, "node_modules", package)))
        {
            throw new InvalidOperationException($"{package} is not installed in {interop}. Run 'npm ci --prefix tests/interop' (./test.sh does this).");
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
        start.ArgumentList.Add(Path.Combine(interop, script + ".mjs"));
        start.Environment["INTEROP_INPUT"] = inputJson;
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

        var server = new NodeServer(script, process, onMessage);
        try
        {
            var listening = await server._listening.Task.WaitAsync(StartTimeout);
            return (server, listening);
        }
        catch (Exception error) when (error is TimeoutException or InvalidOperationException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"{script}.mjs did not start listening. stderr:\n{server.Stderr()}", error);
        }
    }

    /// <summary>What the script wrote to stderr so far, for failure messages.</summary>
    public string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString();
        }
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
            JsonElement message;
            try
            {
                using var document = JsonDocument.Parse(line);
                message = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Only messages belong on stdout (the scripts send console.log to stderr); a stray
                // line is kept for the failure message instead of stopping the reader, which would
                // leave the script blocked on a full pipe.
                lock (_stderr)
                {
                    _stderr.AppendLine($"[not a JSON message on stdout] {line}");
                }

                continue;
            }

            if (!_listening.Task.IsCompleted && message.TryGetProperty("listening", out _))
            {
                _listening.TrySetResult(message);
            }
            else
            {
                _onMessage(message);
            }
        }

        _listening.TrySetException(new InvalidOperationException($"{_script}.mjs exited."));
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
}
