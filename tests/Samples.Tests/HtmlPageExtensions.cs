using IdentityProvider.Tests.Infrastructure;

namespace Samples.Tests;

public static class HtmlPageExtensions
{
    public static string Text(this HtmlPage page, string selector) =>
        page.Document.QuerySelector(selector)?.TextContent.Trim()
        ?? throw new InvalidOperationException($"No '{selector}' on {page.Url}: {page.Document.Body?.TextContent.Trim()}");
}
