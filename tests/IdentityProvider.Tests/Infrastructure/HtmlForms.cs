using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>A page as a browser holds it: the parsed document and the address it came from.</summary>
public sealed record HtmlPage(IHtmlDocument Document, string Url)
{
    public string Text => Document.Body?.TextContent ?? "";

    public IElement? Form(string selector = "form") => Document.QuerySelector(selector);

    /// <summary>The antiforgery token of the page's forms, which a post needs to get past the 400.</summary>
    public string? AntiforgeryToken => Document.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value");
}

/// <summary>Reads pages and submits their forms the way a browser would, hidden fields (antiforgery) included.</summary>
public static class HtmlForms
{
    private static readonly HtmlParser Parser = new();

    public static async Task<HtmlPage> GetPageAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return await ReadPageAsync(response, url);
    }

    public static async Task<HtmlPage> ReadPageAsync(HttpResponseMessage response, string url) =>
        new(await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync()), url);

    public static Task<HttpResponseMessage> SubmitAsync(
        this HttpClient client, HtmlPage page, IReadOnlyDictionary<string, string> values, string formSelector = "form")
    {
        var form = page.Document.QuerySelector(formSelector) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form '{formSelector}' on {page.Url}.");
        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(input => !string.IsNullOrEmpty(input.Name) && input.Type != "submit")
            // As a browser does: an unticked checkbox or radio button is not sent at all.
            .Where(input => input.Type is not ("checkbox" or "radio") || input.IsChecked)
            .ToDictionary(input => input.Name!, input => input.Value);
        foreach (var (name, value) in values)
        {
            fields[name] = value;
        }

        // A form without an action posts back to the address of its page, query string included.
        var action = form.GetAttribute("action");
        return client.PostAsync(string.IsNullOrEmpty(action) ? page.Url : action, new FormUrlEncodedContent(fields));
    }
}
