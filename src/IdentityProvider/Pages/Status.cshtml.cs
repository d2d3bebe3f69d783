using IdentityProvider.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages;

/// <summary>The page shown for error statuses that carry no body of their own.</summary>
[IgnoreAntiforgeryToken]
public sealed class StatusModel : PageModel
{
    public string Title { get; private set; } = "";

    public string Message { get; private set; } = "";

    public void OnGet(int code) => Describe(code);

    public void OnPost(int code) => Describe(code);

    private void Describe(int code) =>
        (Title, Message) = code switch
        {
            404 => ("Page not found", "There is nothing at this address."),
            405 => ("Not allowed", "This address does not accept that kind of request."),
            400 => ("Bad request", "The request could not be understood."),
            429 => (TooManyAttemptsResult.Title, TooManyAttemptsResult.Message),
            _ => ("Request failed", "The request could not be completed."),
        };
}
