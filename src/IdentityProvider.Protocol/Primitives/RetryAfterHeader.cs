using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace IdentityProvider.Protocol.Primitives;

/// <summary>The one way a response says when to try again.</summary>
public static class RetryAfterHeader
{
    /// <summary>
    /// RFC 9110 §10.2.3: delay-seconds, a whole number; rounded up and at least 1, so a client
    /// never retries before the wait is over or at once.
    /// </summary>
    public static void Set(HttpResponse response, TimeSpan retryAfter) =>
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
