using System.Net;
using System.Text.Json;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.AdminApi;

/// <summary>Checks that an admin API answer is RFC 9457 problem details with the given status.</summary>
internal static class Problems
{
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await CodeFlow.JsonAsync(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>The <c>problems</c> member of a 400: what was wrong with the input, one line each.</summary>
    public static IReadOnlyList<string> ListOf(JsonElement problem) =>
        [.. problem.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!)];
}
