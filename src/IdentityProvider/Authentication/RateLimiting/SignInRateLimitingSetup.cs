using System.Threading.RateLimiting;
using IdentityProvider.Infrastructure.Web;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.RateLimiting;

/// <summary>
/// The per-address limit on sign-in form posts, as ASP.NET Core's rate-limiting middleware policy
/// <see cref="PolicyName"/>. Pages opt in with <c>[EnableRateLimiting(PolicyName)]</c> on their page
/// model; only POSTs are counted, so showing a page is never refused.
/// </summary>
internal static partial class SignInRateLimitingSetup
{
    public const string PolicyName = "sign-in";

    public static IServiceCollection AddSignInRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SignInRateLimitOptions>(configuration.GetSection(SignInRateLimitOptions.SectionName));
        services.AddSingleton<SignInRateLimiter>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(PolicyName, http =>
            {
                if (!HttpMethods.IsPost(http.Request.Method))
                {
                    return RateLimitPartition.GetNoLimiter("not a post");
                }

                var settings = http.RequestServices.GetRequiredService<IOptions<SignInRateLimitOptions>>().Value.SignInPerIp;
                return RateLimitPartition.GetTokenBucketLimiter(ClientAddress.PartitionKey(http.Connection.RemoteIpAddress), _ => settings.ToLimiterOptions());
            });
            // Status and Retry-After only: the request never reached the page, so nothing was
            // counted or changed, and the status-code page writes the readable text.
            options.OnRejected = (context, _) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                TooManyAttemptsResult.Apply(http.Response, retryAfter);
                LogRejected(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignInRateLimiter)),
                    http.Request.Path, ClientAddress.PartitionKey(http.Connection.RemoteIpAddress));
                return ValueTask.CompletedTask;
            };
        });
        return services;
    }

    [LoggerMessage(7100, LogLevel.Warning, "Sign-in post to {Path} refused: too many attempts from {ClientAddress}")]
    private static partial void LogRejected(ILogger logger, string path, string clientAddress);
}
