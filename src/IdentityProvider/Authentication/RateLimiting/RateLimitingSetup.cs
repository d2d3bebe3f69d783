using System.Threading.RateLimiting;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Protocol.ClientAuthentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.RateLimiting;

/// <summary>
/// The per-address limits, as policies of ASP.NET Core's rate-limiting middleware. Pages opt in
/// with <c>[EnableRateLimiting(...)]</c> on their page model, where only POSTs are counted, so
/// showing a page is never refused; the protocol's back-channel endpoints get
/// <see cref="ProtocolPolicy"/> and the authorization endpoint <see cref="AuthorizationPolicy"/>
/// where they are mapped. Partitions are per policy: a flood of recovery requests does not use up
/// an address's sign-in attempts.
/// </summary>
internal static partial class RateLimitingSetup
{
    /// <summary>Sign-in form posts: <see cref="RateLimitOptions.SignInPerIp"/>.</summary>
    public const string SignInPolicy = "sign-in";

    /// <summary>Account-recovery form posts: <see cref="RateLimitOptions.AccountRecoveryPerIp"/>.</summary>
    public const string AccountRecoveryPolicy = "account-recovery";

    /// <summary>Token, introspection, revocation and UserInfo: <see cref="RateLimitOptions.ProtocolPerIp"/>, answered in JSON.</summary>
    public const string ProtocolPolicy = "protocol";

    /// <summary>
    /// The authorization endpoint, every method: <see cref="RateLimitOptions.AuthorizationPerIp"/>,
    /// answered with the readable 429 page (a browser is at the other end).
    /// </summary>
    public const string AuthorizationPolicy = "authorization";

    public static IServiceCollection AddRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.SectionName));
        services.AddSingleton<SignInRateLimiter>();
        // Replaces the protocol library's no-op default, whichever was registered first.
        services.AddSingleton<IClientRequestLimiter, ClientRequestLimiter>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(SignInPolicy, http => PostsPerAddress(http, limits => limits.SignInPerIp));
            options.AddPolicy(AccountRecoveryPolicy, http => PostsPerAddress(http, limits => limits.AccountRecoveryPerIp));
            options.AddPolicy<string, ProtocolRateLimitPolicy>(ProtocolPolicy);
            // Anyone can send a browser there with a public client_id, and each valid request is
            // a row until it expires: the limit bounds the rows one address can make.
            options.AddPolicy(AuthorizationPolicy, http =>
            {
                // Read here, not in the factory, which would keep this request's context alive with the bucket.
                var settings = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.AuthorizationPerIp;
                return RateLimitPartition.GetTokenBucketLimiter(ClientAddress.PartitionKey(http.Connection.RemoteIpAddress), _ => settings.ToLimiterOptions());
            });
            // The pages' answer (the protocol policy has its own): status and Retry-After only.
            // The request never reached the page, so nothing was counted or changed, and the
            // status-code page writes the readable text.
            options.OnRejected = (context, _) =>
            {
                var http = context.HttpContext;
                TooManyAttemptsResult.Apply(http.Response, RetryAfter(context.Lease));
                LogRejected(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimitingSetup)),
                    http.Request.Path, ClientAddress.PartitionKey(http.Connection.RemoteIpAddress));
                return ValueTask.CompletedTask;
            };
        });
        return services;
    }

    /// <summary>How long the refused client should wait: the limiter's estimate, or a minute when it has none.</summary>
    public static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);

    private static RateLimitPartition<string> PostsPerAddress(HttpContext http, Func<RateLimitOptions, TokenBucketSettings> bucket)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            return RateLimitPartition.GetNoLimiter("not a post");
        }

        var settings = bucket(http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        return RateLimitPartition.GetTokenBucketLimiter(ClientAddress.PartitionKey(http.Connection.RemoteIpAddress), _ => settings.ToLimiterOptions());
    }

    [LoggerMessage(7100, LogLevel.Warning, "Request to {Path} refused: too many from {ClientAddress}")]
    private static partial void LogRejected(ILogger logger, string path, string clientAddress);
}
