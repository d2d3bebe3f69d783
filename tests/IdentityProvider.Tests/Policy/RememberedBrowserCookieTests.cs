using IdentityProvider.Authentication.Sessions;
using Microsoft.AspNetCore.Http;

namespace IdentityProvider.Tests.Policy;

public sealed class RememberedBrowserCookieTests
{
    private static readonly DateTimeOffset Expires = new(2026, 12, 22, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void IsHostPrefixedAndSecure_OverHttps()
    {
        var http = new DefaultHttpContext();
        http.Request.Scheme = "https";

        RememberedBrowserCookie.Write(http, [new RememberedBrowserMark("handle", "token")], Expires);

        var cookie = http.Response.Headers.SetCookie.ToString();
        Assert.StartsWith("__Host-idp.remember=handle.token;", cookie, StringComparison.Ordinal);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void KeepsAtMostFiveMarks_NewestFirst()
    {
        var http = new DefaultHttpContext();
        var marks = Enumerable.Range(0, 7).Select(i => new RememberedBrowserMark("h" + i, "t" + i)).ToList();

        RememberedBrowserCookie.Write(http, marks, Expires);
        var cookie = http.Response.Headers.SetCookie.ToString();
        http.Request.Headers.Cookie = cookie[..cookie.IndexOf(';', StringComparison.Ordinal)];

        Assert.Equal(marks.Take(5), RememberedBrowserCookie.Read(http));
    }

    [Fact]
    public void ReadsNothing_FromAMalformedCookie()
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Cookie = "idp.remember=no-dot|a.b.c|.token";

        Assert.Empty(RememberedBrowserCookie.Read(http));
    }
}
