using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Fuzz;

/// <summary>One route the app answers, with the methods it declares (empty: any method).</summary>
public sealed record FuzzEndpoint(string Pattern, RoutePattern? Route, IReadOnlyList<string> Methods)
{
    public bool IsAdminApi => Pattern.StartsWith("/admin/api", StringComparison.OrdinalIgnoreCase);

    public bool IsPage => Route is not null && !IsAdminApi && !Pattern.StartsWith("/connect", StringComparison.Ordinal)
        && !Pattern.StartsWith("/.well-known", StringComparison.Ordinal);
}

/// <summary>
/// The app's own list of what it answers, read from its routing rather than written down here, so a
/// route added later is fuzzed without anyone remembering to list it: every route endpoint in the
/// host's <see cref="EndpointDataSource"/> (minimal APIs, Razor Pages, the admin API), plus the
/// addresses discovery publishes (an endpoint served by middleware would only show up there).
/// </summary>
public static class EndpointCatalogue
{
    public static IReadOnlyList<FuzzEndpoint> Read(IServiceProvider services, JsonElement discovery)
    {
        var endpoints = new Dictionary<string, FuzzEndpoint>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            // Razor Pages appear once per handler-less route; minimal APIs once per method set.
            endpoints[pattern + " " + string.Join(",", methods)] = new FuzzEndpoint(pattern, endpoint.RoutePattern, [.. methods]);
        }

        foreach (var property in discovery.EnumerateObject())
        {
            if (property.Name.EndsWith("_endpoint", StringComparison.Ordinal) || property.Name == "jwks_uri")
            {
                var path = new Uri(property.Value.GetString()!).AbsolutePath;
                if (!endpoints.Values.Any(e => string.Equals(e.Pattern, path, StringComparison.OrdinalIgnoreCase)))
                {
                    endpoints[path] = new FuzzEndpoint(path, null, []);
                }
            }
        }

        return [.. endpoints.Values.OrderBy(e => e.Pattern, StringComparer.Ordinal)];
    }

    /// <summary>The path with each route parameter replaced by <paramref name="value"/>'s pick (never a real id).</summary>
    public static string Path(FuzzEndpoint endpoint, Func<string, string> value)
    {
        if (endpoint.Route is null)
        {
            return endpoint.Pattern;
        }

        var segments = endpoint.Route.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => value(parameter.Name),
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        })));
        return "/" + string.Join("/", segments);
    }
}
