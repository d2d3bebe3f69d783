using IdentityProvider.Federation.Upstream;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Pages.Federation;

/// <summary>"Sign in with …": to the upstream's authorization endpoint, or a page saying why not.</summary>
public sealed class StartModel(FederationStarter starter, IOptions<InteractionOptions> interaction) : PageModel
{
    public FederationFailurePage Failure { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string? providerId, [FromQuery] string? request, [FromQuery(Name = "login_hint")] string? loginHint, CancellationToken cancellationToken)
    {
        // Model binding turns a whitespace-only route value (/federation/%20/callback) into null.
        var outcome = await starter.StartAsync(HttpContext, providerId ?? "", request, loginHint, cancellationToken);
        if (outcome.RedirectTo is { } upstream)
        {
            return Redirect(upstream);
        }

        Failure = FederationFailurePage.For(outcome.Failure!, interaction.Value);
        Response.StatusCode = outcome.Failure!.StatusCode;
        return Page();
    }
}
