namespace IdentityProvider.Infrastructure.Security;

/// <summary>
/// Headers every response carries. Sign-in pages must never be framed (clickjacking of the
/// password and consent forms), never sniffed, and never leak their URL (which can hold a code
/// or a setup token) to another site through the Referer header.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    // No inline script or style anywhere: pages load their assets from this origin only.
    // form-action is deliberately absent: browsers apply it to the redirect that follows a
    // sign-in form, and that redirect goes to the relying party's registered URI.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            // A response may set a stricter policy of its own (the form_post response allows
            // exactly one script by nonce and one form target).
            if (!headers.ContainsKey("Content-Security-Policy"))
            {
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
            }

            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
