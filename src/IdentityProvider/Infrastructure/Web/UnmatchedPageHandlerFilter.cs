using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace IdentityProvider.Infrastructure.Web;

/// <summary>
/// Refuses a request that no handler of its page takes. Razor Pages otherwise renders the page
/// without running any handler, and a page whose model its handler fills (most of them) then fails
/// while rendering: a 500 for <c>POST /admin</c>, or for a handler name the page does not have.
/// A GET to a page with no GET handler at all stays as it is: such a page is meant to render as is.
/// </summary>
public sealed class UnmatchedPageHandlerFilter : IPageFilter
{
    public void OnPageHandlerSelected(PageHandlerSelectedContext context)
    {
    }

    public void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        if (context.HandlerMethod is not null)
        {
            return;
        }

        var request = context.HttpContext.Request;
        // Razor Pages serves HEAD with the GET handlers.
        var method = HttpMethods.IsHead(request.Method) ? HttpMethods.Get : request.Method;
        var handlers = context.ActionDescriptor.HandlerMethods;
        var forMethod = handlers.Where(h => string.Equals(h.HttpMethod, method, StringComparison.OrdinalIgnoreCase)).ToList();
        if (HttpMethods.IsGet(method) && forMethod.Count == 0)
        {
            return;
        }

        if (forMethod.Count > 0)
        {
            // The method is served, the handler name is not one of the page's (RFC 9110 §15.5.5).
            context.Result = new NotFoundResult();
            return;
        }

        // RFC 9110 §15.5.6: a 405 lists the methods the resource does support.
        context.HttpContext.Response.Headers.Allow = string.Join(", ",
            handlers.Select(h => h.HttpMethod.ToUpperInvariant()).Append(HttpMethods.Get).Distinct(StringComparer.Ordinal));
        context.Result = new StatusCodeResult(StatusCodes.Status405MethodNotAllowed);
    }

    public void OnPageHandlerExecuted(PageHandlerExecutedContext context)
    {
    }
}
