using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IdentityProvider.Tests.Infrastructure.Cluster;

/// <summary>
/// Debian's nginx as an ordinary foreground process on a free loopback port, configured from
/// <c>deploy/nginx/identity-provider.conf.template</c> (the file operators are pointed to), with
/// every path it writes under a temp directory. Test-only additions live in the generated main
/// configuration around it, never in the template: the <see cref="ServedByHeader"/> response header.
/// </summary>
public sealed class NginxBalancer : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/nginx";

    /// <summary>
    /// Set by nginx on every proxied response to <c>$upstream_addr</c> (<c>127.0.0.1:PORT</c> of the
    /// node that answered), so a test can tell which node served a request without a product change.
    /// </summary>
    public const string ServedByHeader = "X-Served-By";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string _directory;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NginxBalancer(string directory, Process process, int port)
    {
        _directory = directory;
        _process = process;
        Port = port;
        _ = PumpAsync(process.StandardOutput);
        _ = PumpAsync(process.StandardError);
    }

    public int Port { get; }

    /// <summary>nginx's error log and console output so far, for failure messages.</summary>
    public string Log()
    {
        var errorLog = Path.Combine(_directory, "error.log");
        string console;
        lock (_output)
        {
            console = _output.ToString();
        }

        return console + (File.Exists(errorLog) ? ReadShared(errorLog) : "");
    }

    /// <summary>
    /// Renders the template for <paramref name="nodes"/> (host:port each) and starts nginx in front of
    /// them on <paramref name="port"/>, which the caller chose (<see cref="FreePort"/>) because the
    /// nodes' issuer has to name it before nginx runs.
    /// </summary>
    public static async Task<NginxBalancer> StartAsync(IReadOnlyList<string> nodes, int port)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: apt-get install -y nginx (./test.sh does this).");
        }

        var template = Path.Combine(NodeScript.RepositoryRoot(), "deploy", "nginx", "identity-provider.conf.template");
        var directory = Path.Combine(Path.GetTempPath(), "idp-nginx-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);

        var values = new Dictionary<string, string>
        {
            ["IDP_LISTEN"] = $"127.0.0.1:{port}",
            ["IDP_SERVER_NAME"] = "localhost",
        };
        for (var i = 0; i < nodes.Count; i++)
        {
            values[$"IDP_NODE_{i + 1}"] = nodes[i];
        }

        var site = Render(await File.ReadAllTextAsync(template), values);
        await File.WriteAllTextAsync(Path.Combine(directory, "identity-provider.conf"), site);
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), MainConfiguration(directory));

        // -e: the error log before the configuration is read, otherwise nginx tries the
        // compiled-in /var/log/nginx/error.log, which only root may write.
        var arguments = $"-e {directory}/error.log -p {directory}/ -c {directory}/nginx.conf";
        var check = await RunToEndAsync(arguments + " -t");
        if (check.ExitCode != 0)
        {
            throw new InvalidOperationException($"nginx -t refused the generated configuration:\n{check.Output}\n--- identity-provider.conf\n{site}");
        }

        var start = new ProcessStartInfo(Binary, arguments + " -g \"daemon off;\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var balancer = new NginxBalancer(directory, Process.Start(start)!, port);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await AcceptsAsync(port))
        {
            if (balancer._process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = balancer.Log();
                await balancer.DisposeAsync();
                throw new InvalidOperationException($"nginx did not start listening on {port}:\n{log}");
            }

            await Task.Delay(50);
        }

        return balancer;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // One process (master_process off), so nothing is left behind by killing it.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless; the run's result must not depend on it.
        }
    }

    /// <summary>
    /// Replaces the template's <c>${IDP_*}</c> placeholders as envsubst would, leaving nginx's own
    /// <c>$variables</c> alone, and fails on any placeholder left without a value.
    /// </summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        var rendered = values.Aggregate(template, (text, value) => text.Replace("${" + value.Key + "}", value.Value, StringComparison.Ordinal));
        var left = rendered.IndexOf("${IDP_", StringComparison.Ordinal);
        if (left >= 0)
        {
            throw new InvalidOperationException($"The template has a placeholder without a value: {rendered[left..rendered.IndexOf('}', left)]}}}");
        }

        return rendered;
    }

    /// <summary>
    /// The main configuration around the template. One process (<c>master_process off</c>) never
    /// forks workers or switches user, so it runs the same as root and as anyone else; the pid
    /// file, logs and temp paths are all in <paramref name="directory"/>.
    /// </summary>
    private static string MainConfiguration(string directory) => $$"""
        master_process off;
        pid {{directory}}/nginx.pid;
        error_log {{directory}}/error.log notice;
        events { worker_connections 512; }
        http {
            access_log {{directory}}/access.log;
            client_body_temp_path {{directory}}/client_body;
            proxy_temp_path {{directory}}/proxy;
            fastcgi_temp_path {{directory}}/fastcgi;
            uwsgi_temp_path {{directory}}/uwsgi;
            scgi_temp_path {{directory}}/scgi;
            # Test only: which node answered. Inherited by the template's server block as long as
            # that block adds no headers of its own (the cluster smoke test notices if it does).
            add_header {{ServedByHeader}} $upstream_addr always;
            include {{directory}}/identity-provider.conf;
        }
        """;

    private static async Task<(int ExitCode, string Output)> RunToEndAsync(string arguments)
    {
        var start = new ProcessStartInfo(Binary, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception error)
        {
            throw new InvalidOperationException($"{Binary} could not be started: {error.Message}", error);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
