using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster from the system's server binaries, in a temp directory on a
/// free loopback port. No Docker engine runs on these machines, so Testcontainers is not an option.
/// As root, initdb refuses to run, so the server runs as the postgres user through setpriv.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "idp-pg-" + Guid.NewGuid().ToString("N")[..10]);
    private string _binaries = "";
    private (int Uid, int Gid)? _runAs;

    public int Port { get; private set; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=30";

    public async Task InitializeAsync()
    {
        _binaries = FindBinaries();
        Directory.CreateDirectory(_directory);
        if (Environment.UserName == "root")
        {
            _runAs = LookUpUser("postgres") ?? LookUpUser("nobody")
                ?? throw new InvalidOperationException("Running as root, and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL as.");
            await RunAsync("chown", $"{_runAs.Value.Uid}:{_runAs.Value.Gid} {_directory}", asServer: false);
        }

        Port = FreePort();
        await RunAsync(Path.Combine(_binaries, "initdb"),
            $"-D {_directory}/data -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions", asServer: true);
        await StartAsync();
    }

    public Task StartAsync() => RunAsync(Path.Combine(_binaries, "pg_ctl"),
        $"-D {_directory}/data -l {_directory}/log -w -t 30 -o \"-p {Port} -c listen_addresses=127.0.0.1 -k {_directory} " +
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start", asServer: true);

    /// <summary>
    /// Takes the server down for fault tests: connections are cut at once, but committed work is
    /// kept (fast mode flushes the WAL). Immediate mode would be a crash, and with this cluster's
    /// synchronous_commit=off a crash loses the last commits, which no production database does.
    /// </summary>
    public Task StopAsync() => RunAsync(Path.Combine(_binaries, "pg_ctl"), $"-D {_directory}/data -m fast -w stop", asServer: true);

    public Task<string> CreateDatabaseAsync(string prefix) => CreateDatabaseAsync(prefix, template: null);

    /// <summary>
    /// A new database copied from <paramref name="template"/>, a database this cluster made with
    /// <see cref="CreateDatabaseAsync(string)"/> and nobody is connected to any more.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string prefix, string? template)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        var from = template is null ? "" : $" TEMPLATE \"{new NpgsqlConnectionStringBuilder(template).Database}\"";
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"{from}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>
    /// The connection string of a database with every migration applied (by the application's
    /// DatabaseMigrator), made once per cluster by <paramref name="migrate"/>, to copy new
    /// databases from: hundreds of hosts start on PostgreSQL, and migrating each from nothing was
    /// a large part of their start.
    /// </summary>
    public async Task<string> MigratedTemplateAsync(Func<string, Task> migrate)
    {
        await _templateLock.WaitAsync();
        try
        {
            if (_migratedTemplate is null)
            {
                var template = await CreateDatabaseAsync("idp_template");
                await migrate(template);
                // CREATE DATABASE ... TEMPLATE refuses while anyone is connected to the template.
                NpgsqlConnection.ClearPool(new NpgsqlConnection(template));
                _migratedTemplate = template;
            }

            return _migratedTemplate;
        }
        finally
        {
            _templateLock.Release();
        }
    }

    private readonly SemaphoreSlim _templateLock = new(1, 1);
    private string? _migratedTemplate;

    public async Task DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped by a fault test.
        }

        NpgsqlConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static string FindBinaries()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PG_BINDIR");
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            candidates.Add(fromEnvironment);
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        var found = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return found ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin or PG_BINDIR. " +
            "Install them with 'apt-get install -y postgresql' (./test.sh does this for you).");
    }

    private async Task RunAsync(string file, string arguments, bool asServer)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asServer && _runAs is { } user)
        {
            start.FileName = "setpriv";
            start.Arguments = $"--reuid={user.Uid} --regid={user.Gid} --clear-groups -- {file} {arguments}";
        }
        else
        {
            start.FileName = file;
            start.Arguments = arguments;
        }

        using var process = Process.Start(start)!;
        // pg_ctl start leaves the server running with our pipes inherited; read to the end of
        // what the command itself prints, not to the end of the server's life.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var log = File.Exists(Path.Combine(_directory, "log")) ? await File.ReadAllTextAsync(Path.Combine(_directory, "log")) : "";
            throw new InvalidOperationException(
                $"'{Path.GetFileName(file)} {arguments}' failed with {process.ExitCode}: {await stderr}{await stdout}{log}");
        }
    }

    private static (int, int)? LookUpUser(string name)
    {
        var line = File.ReadLines("/etc/passwd").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        var fields = line.Split(':');
        return (int.Parse(fields[2]), int.Parse(fields[3]));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL";
}
