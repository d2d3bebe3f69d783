using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Infrastructure.Web;

/// <summary>
/// RFC 6585 §4: 429 with <c>Retry-After</c> (RFC 9110 §10.2.3, whole seconds). No body of its own:
/// the status-code page renders <see cref="Message"/>, the same page the rate-limiting middleware's
/// rejections get.
/// </summary>
public sealed class TooManyAttemptsResult(TimeSpan retryAfter) : IActionResult
{
    public const string Title = "Too many attempts";

    public const string Message = "Too many attempts. Wait a minute and try again.";

    public Task ExecuteResultAsync(ActionContext context)
    {
        Apply(context.HttpContext.Response, retryAfter);
        return Task.CompletedTask;
    }

    public static void Apply(HttpResponse response, TimeSpan retryAfter)
    {
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        RetryAfterHeader.Set(response, retryAfter);
        response.Headers.CacheControl = "no-store";
    }
}
