using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Account;

/// <summary>My account: where a signed-in user manages security and connected applications.</summary>
public sealed class IndexModel(IAuthenticationSessions sessions) : PageModel
{
    public AuthenticatedSession? Session { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Session = await sessions.GetCurrentAsync(HttpContext);
        return Session is null ? new SeeOtherResult(LoginModel.Path) : Page();
    }

    /// <summary>Signs out of this provider only; applications keep their own sessions until they log out here.</summary>
    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await sessions.SignOutAsync(HttpContext);
        return new SeeOtherResult(LoginModel.Path);
    }
}
