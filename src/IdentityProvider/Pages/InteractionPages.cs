using System.Text;
using System.Text.Encodings.Web;
using IdentityProvider.Federation.Upstream;
using IdentityProvider.Infrastructure.Branding;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Primitives;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Pages;

/// <summary>
/// The pages protocol endpoints answer with directly, in the hosted pages' look and the user's
/// language. Written without Razor because they are produced inside an endpoint, not a page;
/// every value is HTML-encoded.
/// </summary>
public sealed class InteractionPages(IStringLocalizer<SharedResource> text, IOptions<BrandingOptions> branding) : IInteractionPages
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public Task WriteErrorAsync(HttpContext http, ProtocolError error, int statusCode)
    {
        var support = branding.Value.SupportContact is { } contact
            ? $"""<p class="hint support">{Html.Encode(text["Need help? Contact {0}.", contact])}</p>"""
            : "";
        return WriteAsync(http, statusCode, text["This sign-in request cannot be completed"], $"""
            <p>{Html.Encode(text[error.Description])}</p>
            <p class="hint">{Html.Encode(text["Return to the application and try again. If this keeps happening, contact its administrator."])} <code>{Html.Encode(error.Error)}</code></p>
            {support}
            """);
    }

    public Task WriteLogoutConfirmationAsync(HttpContext http, IReadOnlyDictionary<string, string> fields, string? clientName)
    {
        var hidden = new StringBuilder();
        foreach (var (name, value) in fields)
        {
            hidden.Append($"""<input type="hidden" name="{Html.Encode(name)}" value="{Html.Encode(value)}">""");
        }

        var question = clientName is null ? text["Do you want to sign out?"] : text["Do you want to sign out from {0}?", clientName];
        return WriteAsync(http, StatusCodes.Status200OK, text["Sign out?"], $"""
            <p>{Html.Encode(question)}</p>
            <form method="post">{hidden}<button type="submit" name="{EndSessionEndpoint.ConfirmField}" value="yes">{Html.Encode(text["Sign out"])}</button></form>
            """);
    }

    /// <summary>
    /// After our sign-out; a session that came from an upstream with an end_session_endpoint also
    /// gets "Also sign out of {provider}" (<see cref="UpstreamSignOut"/>), since ending our session
    /// leaves the upstream's, and the next "Sign in with …" would pass through it without asking.
    /// </summary>
    public async Task WriteSignedOutAsync(HttpContext http)
    {
        var upstream = await http.RequestServices.GetRequiredService<UpstreamSignOut>().LinkAsync(http, http.RequestAborted);
        var offer = upstream is null
            ? ""
            : $"""<p><a class="button" id="upstream-sign-out" href="{Html.Encode(upstream.Url)}">{Html.Encode(text["Also sign out of {0}", upstream.ProviderName])}</a></p>""";
        await WriteAsync(http, StatusCodes.Status200OK, text["You are signed out"], $"<p>{Html.Encode(text["You have been signed out. You can close this window."])}</p>{offer}");
    }

    private Task WriteAsync(HttpContext http, int statusCode, string title, string body)
    {
        var lang = System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
        var product = Html.Encode(branding.Value.ProductName);
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
            <title>{Html.Encode(title)} · {product}</title>
            <link rel="stylesheet" href="/css/site.css"><link rel="stylesheet" href="{BrandingSetup.StylesheetPath}"></head>
            <body><main class="card"><header class="brand"><span>{product}</span></header><h1>{Html.Encode(title)}</h1>{body}</main></body></html>
            """, http.RequestAborted);
    }
}
