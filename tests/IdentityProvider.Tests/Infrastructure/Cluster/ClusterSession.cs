using System.Net;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Infrastructure.Cluster;

/// <summary>
/// One test's use of the shared <see cref="IdentityProviderCluster"/>: browsers that go through
/// nginx and record which node answered each request, and, when the test ends, that record and
/// every line the nodes and nginx wrote meanwhile in the test's output (xunit shows it for a
/// failed test), so a failure on a node is visible where the test failed.
/// </summary>
public sealed class ClusterSession : IDisposable
{
    private readonly IdentityProviderCluster _cluster;
    private readonly ITestOutputHelper _output;
    private readonly (ClusterNode Node, int From)[] _linesAtStart;
    private readonly List<Served> _trail = [];
    private readonly List<HttpClient> _clients = [];

    internal ClusterSession(IdentityProviderCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
        _linesAtStart = cluster.Nodes.Select(n => (n, n.LineCount)).ToArray();
    }

    /// <summary>A request through nginx and the node that answered it.</summary>
    public sealed record Served(string Method, string Path, HttpStatusCode Status, string Node);

    /// <summary>Every request this test's browsers sent, in the order they were answered.</summary>
    public IReadOnlyList<Served> Trail
    {
        get
        {
            lock (_trail)
            {
                return [.. _trail];
            }
        }
    }

    /// <summary>
    /// A browser at the issuer (nginx) with its own cookie jar that does not follow redirects, so
    /// a test sees every step; it is disposed with the session.
    /// </summary>
    public HttpClient NewBrowser()
    {
        var handler = new Recorder(this) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() } };
        var client = new HttpClient(handler) { BaseAddress = new Uri(_cluster.Issuer + "/") };
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>The node that served each response, by name.</summary>
    public IReadOnlyList<string> NodesOf(IEnumerable<HttpResponseMessage> responses) => responses.Select(r => _cluster.NodeOf(r).Name).ToList();

    public void Dispose()
    {
        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
        }

        _output.WriteLine("--- requests through nginx (node, status, method, path)");
        foreach (var served in Trail)
        {
            _output.WriteLine($"{served.Node} {(int)served.Status} {served.Method} {served.Path}");
        }

        // The nodes at the start (one may have been killed since), then any that replaced them.
        var nodes = _linesAtStart.Concat(_cluster.Nodes.Where(n => _linesAtStart.All(s => s.Node != n)).Select(n => (Node: n, From: 0)));
        foreach (var (node, from) in nodes)
        {
            _output.WriteLine($"--- {node.Name} ({node.Address}{(node.HasExited ? ", exited" : "")}) output during the test");
            foreach (var line in node.Lines(from))
            {
                _output.WriteLine(line);
            }
        }
    }

    private sealed class Recorder(ClusterSession session) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var node = response.Headers.TryGetValues(NginxBalancer.ServedByHeader, out var values)
                ? session._cluster.Nodes.FirstOrDefault(n => n.Address == values.Single())?.Name ?? values.Single()
                : "(no node)";
            lock (session._trail)
            {
                // The path only: query strings carry codes and tokens, which a test log need not keep.
                session._trail.Add(new Served(request.Method.Method, request.RequestUri!.AbsolutePath, response.StatusCode, node));
            }

            return response;
        }
    }
}
