using System.Globalization;
using System.Net;
using IdentityProvider.Admin.Api;
using IdentityProvider.Infrastructure.Branding;
using IdentityProvider.Infrastructure.Localization;
using IdentityProvider.Persistence;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Infrastructure.Outage;

/// <summary>
/// Answers every request that fails because the database is unreachable with 503 and
/// <c>Retry-After</c> (RFC 9110 §15.6.4, §10.2.3) instead of a 500: the client did nothing wrong
/// and the same request will work once the database is back. One place for every endpoint, so no
/// endpoint needs outage code of its own. What the client gets depends on who it is:
/// <list type="bullet">
/// <item>OAuth back-channel endpoints (token, introspection, revocation, UserInfo): the RFC 6749
/// §5.2 JSON error shape with <c>temporarily_unavailable</c>, the code RFC 6749 §4.1.2.1 defines
/// for exactly this ("unable to handle the request due to a temporary overloading or maintenance");
/// a client that knows only the §5.2 codes still finds the <c>error</c> member it parses.</item>
/// <item>Other machine endpoints (admin API, discovery, JWKS): RFC 9457 problem details.</item>
/// <item>Everything else is a person's browser: a short page in their language. It is written here
/// rather than by re-running the pipeline for a Razor page, because that pipeline would read the
/// session from the same unreachable database and fail again.</item>
/// </list>
/// Nothing is retried here: the request may have written part of its work before failing, and
/// only the client can tell whether sending it again is what it wants. Each unit of work commits
/// in one transaction (or not at all), so a retried request finds either all of it or none.
/// </summary>
internal sealed partial class DatabaseOutageMiddleware(
    RequestDelegate next,
    DatabaseConnection connection,
    IOptions<DatabaseOptions> database,
    IOptions<OpenIdServerOptions> server,
    IOptions<BrandingOptions> branding,
    IStringLocalizer<SharedResource> texts,
    ILogger<DatabaseOutageMiddleware> logger)
{
    public const string Title = "Temporarily unavailable";

    public const string Message = "The service cannot complete your request at the moment. Please try again in a few seconds.";

    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http);
        }
        catch (Exception ex) when (DatabaseOutage.IsOutage(ex) && !http.Response.HasStarted)
        {
            LogOutage(logger, http.Request.Method, http.Request.Path, ex.GetType().Name, ex.GetBaseException().Message);
            // Pooled connections opened before the database went away are dead; a request that
            // picked one would fail even after the database is back. Dropping them here means the
            // node meets the returning database with fresh connections, without waiting for a
            // readiness probe that a passive load balancer (nginx) never sends.
            connection.ClearPools();
            await WriteAsync(http);
        }
    }

    private async Task WriteAsync(HttpContext http)
    {
        http.Response.Clear();
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        RetryAfterHeader.Set(http.Response, database.Value.OutageRetryAfter);
        http.Response.Headers.CacheControl = "no-store";

        var path = http.Request.Path;
        var endpoints = server.Value;
        if (path.Equals(endpoints.TokenEndpointPath, StringComparison.OrdinalIgnoreCase)
            || path.Equals(endpoints.IntrospectionEndpointPath, StringComparison.OrdinalIgnoreCase)
            || path.Equals(endpoints.RevocationEndpointPath, StringComparison.OrdinalIgnoreCase)
            || path.Equals(endpoints.UserInfoEndpointPath, StringComparison.OrdinalIgnoreCase))
        {
            await ProtocolResponseWriter.WriteErrorAsync(http, ProtocolErrors.TemporarilyUnavailable());
        }
        else if (path.StartsWithSegments(AdminApi.Prefix, StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/.well-known", StringComparison.OrdinalIgnoreCase)
            || path.Equals(endpoints.JwksPath, StringComparison.OrdinalIgnoreCase))
        {
            // RFC 9457 §3.
            await http.Response.WriteAsJsonAsync(
                new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = Title, Detail = "The database is unreachable; try again later." },
                (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", http.RequestAborted);
        }
        else
        {
            await WritePageAsync(http);
        }
    }

    private async Task WritePageAsync(HttpContext http)
    {
        var culture = http.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture ?? BrowserCulture(http);
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            var brand = branding.Value;
            string E(string text) => WebUtility.HtmlEncode(text);
            var title = texts[Title].Value;
            var logo = brand.LogoPath is null ? "" : $"<img src=\"{E(brand.LogoPath)}\" alt=\"\" />";
            var support = brand.SupportContact is null ? "" : $"<p class=\"hint support\">{E(texts["Need help? Contact {0}.", brand.SupportContact].Value)}</p>";
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync($"""
                <!DOCTYPE html>
                <html lang="{E(culture.TwoLetterISOLanguageName)}">
                <head>
                    <meta charset="utf-8" />
                    <meta name="viewport" content="width=device-width, initial-scale=1" />
                    <meta name="robots" content="noindex" />
                    <title>{E(title)} · {E(brand.ProductName)}</title>
                    <link rel="stylesheet" href="/css/site.css" />
                    <link rel="stylesheet" href="/css/brand.css" />
                </head>
                <body>
                    <main class="card">
                        <header class="brand">{logo}<span>{E(brand.ProductName)}</span></header>
                        <h1>{E(title)}</h1>
                        <p>{E(texts[Message].Value)}</p>
                        {support}
                    </main>
                </body>
                </html>
                """, http.RequestAborted);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    // The localization middleware did not get to choose (its ui_locales lookup reads the database),
    // so the browser's Accept-Language decides among the shipped languages; English otherwise.
    private static CultureInfo BrowserCulture(HttpContext http)
    {
        var wanted = http.Request.GetTypedHeaders().AcceptLanguage
            .OrderByDescending(language => language.Quality ?? 1)
            .Select(language => language.Value.Value?.Split('-')[0])
            .FirstOrDefault(language => LocalizationSetup.SupportedCultures.Contains(language, StringComparer.OrdinalIgnoreCase));
        return CultureInfo.GetCultureInfo(wanted ?? LocalizationSetup.SupportedCultures[0]);
    }

    [LoggerMessage(3101, LogLevel.Error, "{Method} {Path} answered 503: database unavailable ({ExceptionType}: {Reason})")]
    private static partial void LogOutage(ILogger logger, string method, string path, string exceptionType, string reason);
}
