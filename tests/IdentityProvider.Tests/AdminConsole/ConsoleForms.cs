using AngleSharp.Html.Dom;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>
/// Posts a console form as a browser would, with repeated names (checkbox groups), text areas and
/// selects, which <see cref="HtmlForms.SubmitAsync"/> does not handle: the page's antiforgery token
/// plus exactly the fields given.
/// </summary>
internal static class ConsoleForms
{
    public static Task<HttpResponseMessage> PostFormAsync(this HttpClient browser, HtmlPage page, string formSelector, params (string Name, string Value)[] fields)
    {
        var form = page.Document.QuerySelector(formSelector) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form '{formSelector}' on {page.Url}.");
        var token = form.QuerySelector("input[name='__RequestVerificationToken']")?.GetAttribute("value")
            ?? throw new InvalidOperationException($"The form '{formSelector}' has no antiforgery token.");
        var action = form.GetAttribute("action");
        var content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).Append(KeyValuePair.Create("__RequestVerificationToken", token)));
        return browser.PostAsync(string.IsNullOrEmpty(action) ? page.Url : action, content);
    }
}
