using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace IdentityProvider.Tests.Infrastructure.Cluster;

/// <summary>
/// One identity-provider node: the built <c>IdentityProvider.dll</c> run by <c>dotnet</c> as a child
/// process, configured only through <c>IDP__*</c> environment variables, as a container would be.
/// Its stdout and stderr are kept (numbered lines) so tests can show them when something fails.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task _stdout;
    private readonly Task _stderr;
    private bool _disposed;

    private ClusterNode(string name, int port, Process process)
    {
        Name = name;
        Port = port;
        _process = process;
        _stdout = PumpAsync(process.StandardOutput);
        _stderr = PumpAsync(process.StandardError);
    }

    /// <summary><c>node1</c>, <c>node2</c>, ...</summary>
    public string Name { get; }

    public int Port { get; }

    /// <summary>How nginx names this node in <c>$upstream_addr</c>, and so in <see cref="NginxBalancer.ServedByHeader"/>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public Uri DirectAddress => new($"http://{Address}/");

    public int LineCount
    {
        get
        {
            lock (_lines)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>The node's output from line <paramref name="from"/> on.</summary>
    public IReadOnlyList<string> Lines(int from = 0)
    {
        lock (_lines)
        {
            return _lines.Skip(from).ToList();
        }
    }

    /// <summary>
    /// The identity provider's build output next to this test assembly's configuration
    /// (<c>src/IdentityProvider/bin/&lt;Configuration&gt;/net10.0</c>), so the nodes run the code the
    /// tests were built with.
    /// </summary>
    public static string Dll()
    {
        var configuration = typeof(ClusterNode).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var dll = Path.Combine(ProjectDirectory(), "bin", configuration, framework, "IdentityProvider.dll");
        return File.Exists(dll)
            ? dll
            : throw new InvalidOperationException($"{dll} is missing; build the solution (dotnet build) in the {configuration} configuration first.");
    }

    /// <summary>Starts the node; <see cref="WaitUntilReadyAsync"/> tells when it takes traffic.</summary>
    /// <param name="port">A dead node's port, when a node is replaced where nginx expects it; a free port otherwise.</param>
    public static ClusterNode Start(string name, IReadOnlyDictionary<string, string> settings, int? port = null)
    {
        port ??= FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root: appsettings.json and wwwroot, as in the container image.
            WorkingDirectory = ProjectDirectory(),
        };
        start.ArgumentList.Add(Dll());
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // As for the in-process hosts (test.sh): no inotify watcher per process.
        start.Environment["DOTNET_USE_POLLING_FILE_WATCHER"] = "true";
        start.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        start.Environment["IDP__Urls"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in settings)
        {
            start.Environment["IDP__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return new ClusterNode(name, port.Value, Process.Start(start)!);
    }

    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>
    /// The process's resident set size now (<c>VmRSS</c> in <c>/proc/PID/status</c>, Linux only):
    /// what the node holds in memory, the figure a container's memory limit is measured against.
    /// </summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            // "VmRSS:	  123456 kB"
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{_process.Id}/status of {Name} has no VmRSS line.");
    }

    /// <summary>
    /// <c>kill -9</c>: SIGKILL (what <see cref="Process.Kill()"/> sends on Linux), so the node gets no
    /// chance to finish a request, flush anything or say goodbye to the database.
    /// </summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Polls the node's own <c>/health/ready</c> (not through nginx) until it answers 200.</summary>
    public async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = DirectAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was ready:\n{string.Join('\n', Lines())}");
            }

            try
            {
                using var ready = await client.GetAsync("/health/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy starting on a loaded machine; the deadline below bounds the wait.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{Name} was not ready within {ReadyTimeout}:\n{string.Join('\n', Lines())}");
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        await Task.WhenAll(_stdout, _stderr);
        _process.Dispose();
        _disposed = true;
    }

    private static string ProjectDirectory() => Path.Combine(NodeScript.RepositoryRoot(), "src", "IdentityProvider");

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
