using IdentityProvider.Federation.Upstream;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Pages.Federation;

/// <summary>The redirect URI registered at upstreams: verifies the answer, then on to the local sign-in (303), or a page saying why not.</summary>
public sealed class CallbackModel(FederationCallback callback, IOptions<InteractionOptions> interaction) : PageModel
{
    public FederationFailurePage Failure { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(
        string? providerId,
        [FromQuery] string? state,
        [FromQuery] string? code,
        [FromQuery] string? error,
        [FromQuery] string? iss,
        CancellationToken cancellationToken)
    {
        // Model binding turns a whitespace-only route value (/federation/%20/callback) into null.
        var outcome = await callback.CompleteAsync(HttpContext, providerId ?? "", new UpstreamAuthorizationResponse(state, code, error, iss), cancellationToken);
        if (outcome.RedirectTo is { } next)
        {
            // 303: the browser must GET the next page whatever method brought it here.
            Response.Headers.Location = next;
            return StatusCode(StatusCodes.Status303SeeOther);
        }

        Failure = FederationFailurePage.For(outcome.Failure!, interaction.Value);
        Response.StatusCode = outcome.Failure!.StatusCode;
        return Page();
    }

    /// <summary>
    /// HEAD must be safe (RFC 9110 §9.3.2), yet Razor Pages would answer it with the GET handler,
    /// which spends the single-use state: a prefetcher or link checker would break the sign-in.
    /// </summary>
    public IActionResult OnHead()
    {
        Response.Headers.Allow = HttpMethods.Get;
        return StatusCode(StatusCodes.Status405MethodNotAllowed);
    }
}
