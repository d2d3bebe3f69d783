using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Federation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Federation;

/// <summary>
/// The post_logout_redirect_uri registered at upstreams (OIDC RP-Initiated Logout 1.0 §2): the
/// upstream sends the user here after "Also sign out of …". It only says so and links home; it
/// never redirects, so the parameters the upstream appends (§3: state) cannot lead anywhere else.
/// </summary>
public sealed class SignedOutModel(IUpstreamProviderDirectory providers) : PageModel
{
    public string? ProviderName { get; private set; }

    public string Home => SignInCompletion.AccountHome;

    public async Task<IActionResult> OnGetAsync(string? providerId, CancellationToken cancellationToken)
    {
        // Model binding turns a whitespace-only route value (/federation/%20/callback) into null.
        ProviderName = (await providers.FindAsync(providerId ?? "", cancellationToken))?.DisplayName;
        if (ProviderName is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Page();
    }
}
