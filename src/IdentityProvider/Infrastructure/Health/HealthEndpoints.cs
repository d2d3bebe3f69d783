using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace IdentityProvider.Infrastructure.Health;

internal static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddIdentityProviderHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<HealthOptions>(configuration.GetSection(HealthOptions.SectionName));
        services.AddHealthChecks()
            .AddCheck<DatabaseReadinessCheck>("database", tags: [ReadyTag])
            .AddCheck<ClockSkewReadinessCheck>("clock", tags: [ReadyTag]);
        return services;
    }

    /// <summary>
    /// <c>/health/live</c>: the process serves requests (no dependency is checked, so a database
    /// outage never makes an orchestrator kill healthy nodes). <c>/health/ready</c>: the database
    /// is usable and this node's clock agrees with it, so the node may receive traffic.
    /// </summary>
    public static IEndpointRouteBuilder MapIdentityProviderHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return endpoints;
    }
}
