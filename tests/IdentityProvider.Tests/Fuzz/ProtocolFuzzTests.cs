using System.Diagnostics;
using System.Globalization;
using System.Text;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Xunit.Abstractions;

namespace IdentityProvider.Tests.Fuzz;

/// <summary>
/// Thousands of generated malformed requests against every route the app maps. Each must be
/// answered without a 5xx, without a stack trace, without a redirect the request chose, without an
/// unhandled exception in the log, and without changing security state. Bounded by
/// <c>FUZZ_REQUESTS</c>; replay a failure with the printed <c>FUZZ_SEED</c>.
/// </summary>
public sealed class ProtocolFuzzTests(FuzzHost host, ITestOutputHelper output) : IClassFixture<FuzzHost>
{
    private const int MaxReported = 20;
    private const int MaxBodyRead = 256 * 1024;

    private static readonly string[] StackTraceMarkers = ["   at ", "Exception:", "System.", "Microsoft.", "StackTrace", ".cs:line"];

    // Categories in which ASP.NET Core reports an exception nothing caught.
    private static readonly string[] UnhandledCategories =
    [
        "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", "Microsoft.AspNetCore.Diagnostics.DeveloperExceptionPageMiddleware",
        "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Hosting.Diagnostics",
    ];

    [Fact]
    public void The_catalogue_holds_the_core_protocol_and_admin_endpoints()
    {
        var patterns = host.Endpoints.Select(e => e.Pattern).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var expected in new[]
        {
            "/connect/token", "/connect/authorize", "/connect/userinfo", "/connect/introspect", "/connect/revoke", "/connect/endsession",
            "/.well-known/openid-configuration", "/admin/api/users", "/admin/api/users/{userId}", "/account/login", "/admin/users",
        })
        {
            Assert.Contains(expected, patterns);
        }

        output.WriteLine($"{host.Endpoints.Count} endpoints:");
        foreach (var endpoint in host.Endpoints)
        {
            output.WriteLine($"  {endpoint.Pattern} [{string.Join(",", endpoint.Methods)}]");
        }
    }

    [Fact]
    public async Task Malformed_requests_to_every_endpoint_get_a_clean_refusal_and_change_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Environment.TickCount;
        var count = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_REQUESTS"), CultureInfo.InvariantCulture, out var n) ? n : 3000;
        output.WriteLine($"FUZZ_SEED={seed} FUZZ_REQUESTS={count} over {host.Endpoints.Count} endpoints");
        var random = new Random(seed);
        var generator = new RequestGenerator(random, host.Credentials);
        var failures = new List<string>();
        var accepted = new Dictionary<string, int>(StringComparer.Ordinal);
        var statuses = new SortedDictionary<int, int>();
        var logLines = host.Factory.Logs.Lines.Count;
        var baseline = await SnapshotAsync();
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < count; i++)
        {
            var request = generator.Next(i, host.Endpoints[random.Next(host.Endpoints.Count)]);
            var (status, location, body) = await SendAsync(request);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            failures.AddRange(Judge(status, location, body).Select(problem => $"{problem}\n  {request.Describe()}"));

            var lines = host.Factory.Logs.Lines;
            failures.AddRange(lines.Skip(logLines).Where(IsUnhandledException).Select(line => $"unhandled exception logged: {Cut(line, 1500)}\n  {request.Describe()}"));
            logLines = lines.Count;

            var after = await SnapshotAsync();
            var changes = after.DifferencesFrom(baseline);
            if (changes.Count > 0)
            {
                if (MayBeAccepted(request, status))
                {
                    // An authenticated write the server accepted: the change is the point of the request.
                    var key = $"{request.Method} {request.Endpoint.Pattern}: {string.Join(", ", changes.Select(c => c.Split(' ')[0]).Distinct())}";
                    accepted[key] = accepted.GetValueOrDefault(key) + 1;
                }
                else
                {
                    failures.Add($"state changed ({status}): {string.Join("\n    ", changes.Take(6))}\n  {request.Describe()}");
                }

                baseline = after;
            }
        }

        output.WriteLine($"{count} requests in {clock.Elapsed.TotalSeconds:F1} s; statuses: {string.Join(", ", statuses.Select(p => $"{p.Key}×{p.Value}"))}");
        foreach (var (write, times) in accepted)
        {
            output.WriteLine($"accepted write ×{times}: {write}");
        }

        Assert.True(failures.Count == 0,
            $"{failures.Count} findings with FUZZ_SEED={seed} (first {MaxReported}):\n\n{string.Join("\n\n", failures.Take(MaxReported))}");
    }

    private async Task<StateSnapshot> SnapshotAsync() => await host.Factory.WithDbAsync(StateSnapshot.TakeAsync);

    /// <summary>
    /// Sent straight into the server (not through HttpClient), so the path, query string and headers
    /// arrive exactly as generated: broken escapes, control characters and duplicates included.
    /// </summary>
    private async Task<(int Status, string? Location, string Body)> SendAsync(FuzzRequest request)
    {
        HttpContext context;
        try
        {
            context = await host.Factory.Server.SendAsync(http =>
            {
                http.Request.Method = request.Method;
                http.Request.Scheme = "http";
                http.Request.Host = new HostString("localhost");
                http.Request.Path = new PathString(request.Path);
                http.Request.QueryString = new QueryString(request.RawQuery.Length == 0 ? null : request.RawQuery);
                foreach (var (name, value) in request.Headers)
                {
                    http.Request.Headers.Append(name, value);
                }

                if (request.Body is not null)
                {
                    http.Request.Body = new MemoryStream(request.Body);
                    http.Request.ContentLength = request.Body.Length;
                }
            });
        }
        catch (Exception e)
        {
            return (599, null, "the server threw: " + e);
        }

        var buffer = new byte[MaxBodyRead];
        var read = 0;
        int chunk;
        while (read < buffer.Length && (chunk = await context.Response.Body.ReadAsync(buffer.AsMemory(read))) > 0)
        {
            read += chunk;
        }

        return (context.Response.StatusCode, context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null, Encoding.UTF8.GetString(buffer, 0, read));
    }

    private IEnumerable<string> Judge(int status, string? location, string body)
    {
        if (status >= 500)
        {
            yield return $"status {status}: {Cut(body, 1500)}";
        }

        if (StackTraceMarkers.FirstOrDefault(marker => body.Contains(marker, StringComparison.Ordinal)) is { } found)
        {
            var at = body.IndexOf(found, StringComparison.Ordinal);
            yield return $"stack-trace marker '{found}' in the body: …{Cut(body[Math.Max(0, at - 200)..], 600)}";
        }

        if (status is >= 300 and < 400 && location is not null && !IsAllowedRedirect(location))
        {
            yield return $"redirect to an address the request chose: {Cut(location, 500)}";
        }
    }

    /// <summary>This host, or an address the seed registered for the crm client (its query and fragment are the server's answer).</summary>
    private static bool IsAllowedRedirect(string location)
    {
        // Browsers read "//host" and "/\host" as another host.
        if (location.StartsWith("//", StringComparison.Ordinal) || location.StartsWith("/\\", StringComparison.Ordinal) || location.Any(char.IsControl))
        {
            return false;
        }

        if (!Uri.TryCreate(new Uri(IdentityProviderFactory.Issuer + "/"), location, out var target))
        {
            return false;
        }

        if (target.Scheme == "http" && target.Authority == "localhost" && target.UserInfo.Length == 0)
        {
            return true;
        }

        var address = target.GetLeftPart(UriPartial.Path);
        return address is FuzzHost.RedirectUri or FuzzHost.PostLogoutRedirectUri;
    }

    /// <summary>An authenticated write that got past antiforgery and was not refused: the server may have done what was asked.</summary>
    private static bool MayBeAccepted(FuzzRequest request, int status) =>
        status < 400 && request.Method is not ("GET" or "HEAD")
        && request.Credential is "admin bearer" or "console session+antiforgery" or "anonymous+antiforgery";

    private static bool IsUnhandledException(string line) =>
        UnhandledCategories.Any(category => line.Contains(" " + category, StringComparison.Ordinal) && line.Contains("Exception", StringComparison.Ordinal))
        || ((line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal))
            && line.Contains("Exception", StringComparison.Ordinal) && line.Contains("   at ", StringComparison.Ordinal));

    private static string Cut(string value, int length) => value.Length <= length ? value : value[..length] + "…";
}
