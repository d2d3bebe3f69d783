using System.Net;
using IdentityProvider.Tests.Infrastructure;

namespace Samples.Tests;

/// <summary>
/// A user's browser at the HTTP level: one cookie jar for every port of localhost (as real
/// browsers keep it), redirects followed one by one so a test can see each stop.
/// </summary>
public sealed class Browser(string crmBaseUrl) : IDisposable
{
    public HttpClient Http { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
    {
        BaseAddress = new Uri(crmBaseUrl),
    };

    /// <summary>Every URL requested, in order.</summary>
    public List<Uri> Visited { get; } = [];

    /// <summary>
    /// GETs <paramref name="url"/> and follows redirects until a page answers. At the provider's
    /// test login it signs in as <paramref name="user"/> with the given factors, or stops there when no user is given.
    /// </summary>
    public async Task<HttpResponseMessage> FollowAsync(string url, string? user = null, string amr = "pwd", string? acr = null)
    {
        var location = new Uri(Http.BaseAddress!, url);
        for (var hops = 0; ; hops++)
        {
            Assert.True(hops < 12, "too many redirects: " + string.Join(" -> ", Visited));
            if (location.AbsolutePath == TestLoginStartupFilter.Path && user is not null)
            {
                location = new Uri(location + "&user=" + Uri.EscapeDataString(user) + "&amr=" + Uri.EscapeDataString(amr)
                    + (acr is null ? "" : "&acr=" + Uri.EscapeDataString(acr)));
            }

            Visited.Add(location);
            var response = await Http.GetAsync(location);
            if (response.Headers.Location is not { } next)
            {
                return response;
            }

            location = new Uri(location, next);
        }
    }

    public void Dispose() => Http.Dispose();
}
