using System.Threading.RateLimiting;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.RateLimiting;

/// <summary>
/// <see cref="RateLimitingSetup.ProtocolPolicy"/>: every request to the back-channel endpoints
/// from one client address, whatever its method, since each one costs a form read and client
/// authentication or a token check. A refusal is answered the way those endpoints answer anything: an OAuth error in
/// JSON, through the protocol library's one writer, not the people's 429 page.
/// </summary>
internal sealed partial class ProtocolRateLimitPolicy(IOptions<RateLimitOptions> options, ILogger<ProtocolRateLimitPolicy> logger) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, _) =>
    {
        var http = context.HttpContext;
        LogRejected(logger, http.Request.Path, ClientAddress.PartitionKey(http.Connection.RemoteIpAddress));
        await ProtocolResponseWriter.WriteErrorAsync(http, ProtocolErrors.TooManyRequests(RateLimitingSetup.RetryAfter(context.Lease)));
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var settings = options.Value.ProtocolPerIp;
        return RateLimitPartition.GetTokenBucketLimiter(ClientAddress.PartitionKey(httpContext.Connection.RemoteIpAddress), _ => settings.ToLimiterOptions());
    }

    [LoggerMessage(7101, LogLevel.Warning, "Protocol request to {Path} refused: too many requests from {ClientAddress}")]
    private static partial void LogRejected(ILogger logger, string path, string clientAddress);
}
