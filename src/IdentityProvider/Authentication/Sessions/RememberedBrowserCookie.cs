namespace IdentityProvider.Authentication.Sessions;

/// <summary>One "don't ask again" mark as the browser holds it: the row's handle and the token whose hash the row keeps.</summary>
public sealed record RememberedBrowserMark(string Handle, string Token);

/// <summary>
/// The browser's side of "don't ask again": one cookie holding the marks of the last few users who
/// ticked the box on this browser, newest first (a family computer keeps each person's mark; the
/// cookie stays small and its name says nothing about who they are). Each entry is
/// <c>handle.token</c>, both base64url, entries separated by <c>|</c>.
/// </summary>
/// <remarks>
/// HttpOnly, SameSite=Lax, Path=/. Over https the name carries the <c>__Host-</c> prefix, so the
/// browser only accepts it Secure, without Domain, from this host: a sibling subdomain can neither
/// set nor overwrite it. Over plain http (local development) it is <c>idp.remember</c>.
/// </remarks>
internal static class RememberedBrowserCookie
{
    public const string Name = "idp.remember";
    public const int MaxMarks = 5;

    // A handle is 22 characters, a token 43: anything much longer is not ours.
    private const int MaxLength = MaxMarks * 70;

    public static IReadOnlyList<RememberedBrowserMark> Read(HttpContext http)
    {
        var value = http.Request.Cookies[NameFor(http)];
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return [];
        }

        var marks = new List<RememberedBrowserMark>();
        foreach (var entry in value.Split('|', StringSplitOptions.RemoveEmptyEntries).Take(MaxMarks))
        {
            var parts = entry.Split('.');
            if (parts is [{ Length: > 0 and <= 64 } handle, { Length: > 0 and <= 64 } token])
            {
                marks.Add(new RememberedBrowserMark(handle, token));
            }
        }

        return marks;
    }

    /// <param name="marks">newest first; an empty list deletes the cookie</param>
    public static void Write(HttpContext http, IReadOnlyList<RememberedBrowserMark> marks, DateTimeOffset expires)
    {
        var name = NameFor(http);
        var options = new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            IsEssential = true,
        };
        if (marks.Count == 0)
        {
            http.Response.Cookies.Delete(name, options);
            return;
        }

        options.Expires = expires;
        http.Response.Cookies.Append(name, string.Join('|', marks.Take(MaxMarks).Select(m => m.Handle + "." + m.Token)), options);
    }

    private static string NameFor(HttpContext http) => http.Request.IsHttps ? "__Host-" + Name : Name;
}
