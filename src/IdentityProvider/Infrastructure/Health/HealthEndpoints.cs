using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace IdentityProvider.Infrastructure.Health;

internal static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddIdentityProviderHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseReadinessCheck>("database", tags: [ReadyTag]);
        return services;
    }

    /// <summary>
    /// <c>/health/live</c>: the process serves requests (no dependency is checked, so a database
    /// outage never makes an orchestrator kill healthy nodes). <c>/health/ready</c>: the database
    /// is usable, so the node may receive traffic.
    /// </summary>
    public static IEndpointRouteBuilder MapIdentityProviderHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return endpoints;
    }
}
