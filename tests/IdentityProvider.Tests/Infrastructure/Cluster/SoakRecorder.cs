using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace IdentityProvider.Tests.Infrastructure.Cluster;

/// <summary>
/// What a soak measured: each operation's successes, failures and latencies, the requests each node
/// served and every 5xx, and the nodes' memory at the start and the end. Safe for concurrent workers.
/// Figures only: the soak asserts on errors and memory growth, never on a latency.
/// </summary>
public sealed class SoakRecorder(IdentityProviderCluster cluster)
{
    private readonly Dictionary<string, List<double>> _latencies = new(StringComparer.Ordinal);
    private readonly List<string> _errors = [];
    private readonly Dictionary<string, int> _servedBy = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _residentAtStart = cluster.Nodes.ToDictionary(n => n.Name, n => n.ResidentBytes());
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _requests;
    private int _serverErrors;

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public int ServerErrors => Volatile.Read(ref _serverErrors);

    public IReadOnlyDictionary<string, int> ServedBy
    {
        get
        {
            lock (_servedBy)
            {
                return new Dictionary<string, int>(_servedBy);
            }
        }
    }

    public IReadOnlyDictionary<string, long> ResidentAtStart => _residentAtStart;

    /// <summary>
    /// Runs one operation and records its latency, or, if it throws, the failure (operation and
    /// message: statuses and error codes, never a token) and rethrows so the visit stops there.
    /// </summary>
    public async Task<T> MeasureAsync<T>(string operation, Func<Task<T>> action)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await action();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (_latencies)
            {
                (_latencies.TryGetValue(operation, out var list) ? list : _latencies[operation] = []).Add(elapsed);
            }

            return result;
        }
        catch (Exception e)
        {
            lock (_errors)
            {
                _errors.Add($"{operation}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }

            lock (_latencies)
            {
                // So that an operation that only ever failed is in the report too.
                _latencies.TryAdd(operation, []);
            }

            throw new SoakStepFailedException(operation, e);
        }
    }

    /// <summary>A browser or API caller at nginx whose responses are counted by node and status.</summary>
    public HttpClient NewClient(bool cookies) => new(new Counter(this)
    {
        InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = cookies, CookieContainer = new CookieContainer() },
    })
    {
        BaseAddress = new Uri(cluster.Issuer + "/"),
    };

    /// <summary>Throws unless <paramref name="response"/> has <paramref name="expected"/>; the message has the status and the start of the body.</summary>
    public static async Task<HttpResponseMessage> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}, not {(int)expected}: {body[..Math.Min(body.Length, 200)]}");
        }

        return response;
    }

    public SoakReport Report(TimeSpan duration, int workers)
    {
        var residentAtEnd = cluster.Nodes.ToDictionary(n => n.Name, n => n.ResidentBytes());
        var served = ServedBy;
        List<SoakOperation> operations;
        lock (_latencies)
        {
            operations = _latencies.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
            {
                var sorted = p.Value.Order().ToList();
                return new SoakOperation(
                    p.Key, sorted.Count, Errors.Count(e => e.StartsWith(p.Key + ":", StringComparison.Ordinal)),
                    Math.Round(sorted.Count / duration.TotalSeconds, 2),
                    Math.Round(Percentile(sorted, 0.50), 1), Math.Round(Percentile(sorted, 0.95), 1), Math.Round(Percentile(sorted, 1.0), 1));
            }).ToList();
        }

        return new SoakReport(
            Math.Round(duration.TotalSeconds, 1), workers, Environment.ProcessorCount, Volatile.Read(ref _requests),
            Math.Round(Volatile.Read(ref _requests) / duration.TotalSeconds, 1), ServerErrors, Errors, operations,
            cluster.Nodes.Select(n => new SoakNode(
                n.Name, served.GetValueOrDefault(n.Name), Megabytes(_residentAtStart[n.Name]), Megabytes(residentAtEnd[n.Name]))).ToList());
    }

    private static double Megabytes(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 1);

    /// <summary>Nearest-rank percentile of an ascending list.</summary>
    private static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed class Counter(SoakRecorder recorder) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Interlocked.Increment(ref recorder._requests);
            if ((int)response.StatusCode >= 500)
            {
                Interlocked.Increment(ref recorder._serverErrors);
            }

            var node = response.Headers.TryGetValues(NginxBalancer.ServedByHeader, out var values)
                ? recorder.NodeName(values.Single())
                : "(no node)";
            lock (recorder._servedBy)
            {
                recorder._servedBy[node] = recorder._servedBy.GetValueOrDefault(node) + 1;
            }

            return response;
        }
    }

    private string NodeName(string address) => cluster.Nodes.FirstOrDefault(n => n.Address == address)?.Name ?? address;
}

public sealed class SoakStepFailedException(string operation, Exception inner) : Exception($"{operation} failed", inner);

public sealed record SoakOperation(string Operation, int Count, int Errors, double PerSecond, double P50Ms, double P95Ms, double MaxMs);

public sealed record SoakNode(string Node, int Served, double RssStartMb, double RssEndMb);

public sealed record SoakReport(
    double Seconds, int Workers, int Cores, int Requests, double RequestsPerSecond, int ServerErrors,
    IReadOnlyList<string> Errors, IReadOnlyList<SoakOperation> Operations, IReadOnlyList<SoakNode> Nodes)
{
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });

    /// <summary>The figures as Markdown tables, for the test output and docs/performance.md.</summary>
    public string ToMarkdown()
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{Seconds} s, {Workers} workers, {Cores} cores: {Requests} requests through nginx ({RequestsPerSecond}/s), {ServerErrors} 5xx, {Errors.Count} errors."),
            "",
            "| operation | count | errors | per second | p50 ms | p95 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        };
        lines.AddRange(Operations.Select(o => string.Create(CultureInfo.InvariantCulture,
            $"| {o.Operation} | {o.Count} | {o.Errors} | {o.PerSecond} | {o.P50Ms} | {o.P95Ms} | {o.MaxMs} |")));
        lines.AddRange(["", "| node | requests served | RSS start MB | RSS end MB |", "|---|---:|---:|---:|"]);
        lines.AddRange(Nodes.Select(n => string.Create(CultureInfo.InvariantCulture, $"| {n.Node} | {n.Served} | {n.RssStartMb} | {n.RssEndMb} |")));
        return string.Join('\n', lines);
    }
}
