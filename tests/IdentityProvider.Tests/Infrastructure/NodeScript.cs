using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// Runs a script of <c>tests/interop</c> under Node, the way a relying party outside the process
/// would talk to the server. The protocol with the script (implemented by <c>tests/interop/lib/harness.mjs</c>):
/// <list type="bullet">
/// <item>the test's input goes in as JSON in the <c>INTEROP_INPUT</c> environment variable;</item>
/// <item>every stdout line is one JSON message: <c>{"ask": step, "payload": ...}</c> asks the test to do
/// something only it can (sign a user in, say), and the answer goes back as one JSON line on stdin;
/// <c>{"result": ...}</c> is the script's outcome;</item>
/// <item>a non-zero exit fails the test with the script's stderr.</item>
/// </list>
/// </summary>
public static class NodeScript
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string> InteropDirectory = new(FindInteropDirectory);

    /// <summary>Answers a script's <c>ask</c>: the step name and its payload in, the JSON-serializable answer out.</summary>
    public delegate Task<object> StepHandler(string step, JsonElement payload);

    /// <param name="script">a file name in <c>tests/interop</c>, without <c>.mjs</c></param>
    /// <param name="input">serialized to JSON; by convention camelCase names (<c>issuer</c>, <c>clientId</c>, <c>clientSecret</c>)</param>
    /// <param name="onStep">answers the script's asks; a script that asks without one fails</param>
    public static async Task<JsonElement> RunAsync(string script, object input, StepHandler? onStep = null, TimeSpan? timeout = null)
    {
        var path = Path.Combine(InteropDirectory.Value, script + ".mjs");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No interop script {path}.", path);
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = InteropDirectory.Value,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(path);
        start.Environment["INTEROP_INPUT"] = JsonSerializer.Serialize(input, JsonSerializerOptions.Web);
        start.Environment["NODE_NO_WARNINGS"] = "1";

        using var process = StartNode(start);
        var stderr = new StringBuilder();
        var stderrDone = PumpAsync(process.StandardError, stderr);
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        JsonElement? result = null;
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                var message = Parse(script, line, () => Text(stderr));
                if (message.TryGetProperty("result", out var value))
                {
                    result = value.Clone();
                }
                else if (message.TryGetProperty("ask", out var step))
                {
                    if (onStep is null)
                    {
                        throw new InvalidOperationException($"{script}.mjs asked for '{step}', but the test gave no step handler.");
                    }

                    var answer = await onStep(step.GetString()!, message.GetProperty("payload").Clone());
                    await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(answer, JsonSerializerOptions.Web).AsMemory(), deadline.Token);
                    await process.StandardInput.FlushAsync(deadline.Token);
                }
            }

            await process.WaitForExitAsync(deadline.Token);
            await stderrDone;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script}.mjs did not finish within {timeout ?? DefaultTimeout}. stderr:\n{Text(stderr)}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script}.mjs exited with {process.ExitCode}. stderr:\n{stderr}");
        }

        return result ?? throw new InvalidOperationException($"{script}.mjs printed no result. stderr:\n{stderr}");
    }

    /// <summary>The folder of the repository that holds IdentityProvider.sln, found from the test binaries upwards.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IdentityProvider.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No IdentityProvider.sln above {AppContext.BaseDirectory}.");
    }

    private static string FindInteropDirectory()
    {
        var directory = Path.Combine(RepositoryRoot(), "tests", "interop");
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "openid-client")))
        {
            throw new InvalidOperationException(
                $"The interop packages are not installed in {directory}. Run 'npm ci --prefix tests/interop' (./test.sh does this).");
        }

        return directory;
    }

    private static Process StartNode(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start)!;
        }
        catch (Win32Exception error)
        {
            throw new InvalidOperationException(
                "'node' was not found on PATH. Install Node.js 20 or later with npm (apt-get install -y nodejs npm); ./test.sh checks for it.", error);
        }
    }

    private static JsonElement Parse(string script, string line, Func<string> stderr)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Only harness messages belong on stdout; a stray console.log would desynchronise the exchange.
            throw new InvalidOperationException($"{script}.mjs printed a line that is not a JSON message: {line}\nstderr:\n{stderr()}");
        }
    }

    // The pump may still be appending when a failure is reported.
    private static string Text(StringBuilder stderr)
    {
        lock (stderr)
        {
            return stderr.ToString();
        }
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (into)
            {
                into.AppendLine(line);
            }
        }
    }
}
