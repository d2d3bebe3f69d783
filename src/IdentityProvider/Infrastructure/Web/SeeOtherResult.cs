using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Infrastructure.Web;

/// <summary>
/// The redirect every form post ends with. RFC 9110 §15.4.4: 303 tells the browser to follow
/// with GET, so reloading the next page never re-submits the form (a password, a code).
/// </summary>
public sealed class SeeOtherResult(string location) : IActionResult
{
    public string Location { get; } = location;

    public Task ExecuteResultAsync(ActionContext context)
    {
        context.HttpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.HttpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }
}
