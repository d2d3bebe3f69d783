using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace IdentityProvider.Infrastructure.Logging;

internal static class LoggingSetup
{
    /// <summary>
    /// Serilog behind Microsoft.Extensions.Logging. <c>Logging:Format</c> = <c>json</c> writes one JSON
    /// object per line for log shippers; the default is a readable line. Levels can be overridden
    /// under <c>Serilog:MinimumLevel</c>.
    /// </summary>
    /// <param name="allToStandardError">For operator commands: stdout carries only the command's output, so scripts can read it.</param>
    public static WebApplicationBuilder AddIdentityProviderLogging(this WebApplicationBuilder builder, bool allToStandardError = false)
    {
        LogEventLevel? standardErrorFrom = allToStandardError ? LogEventLevel.Verbose : null;
        var json = string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            // The framework's own per-request lines would repeat ours and include query strings,
            // which can carry codes and tokens; RequestLoggingMiddleware writes the one request line.
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", LogEventLevel.Fatal)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext();
        configuration = json
            ? configuration.WriteTo.Console(new JsonFormatter(renderMessage: true), standardErrorFromLevel: standardErrorFrom)
            : configuration.WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: standardErrorFrom);

        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(configuration.CreateLogger(), dispose: true);
        // The same floor for every provider, so no provider added later (in tests, or by an
        // operator) receives the framework's request lines with their query strings.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        return builder;
    }
}
