using IdentityProvider.Admin.Permissions;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Account;

/// <summary>My account: where a signed-in user manages security and connected applications.</summary>
public sealed class IndexModel(IAuthenticationSessions sessions, AdminPermissionResolver permissions, IInteractionPages pages) : PageModel
{
    public AuthenticatedSession? Session { get; private set; }

    /// <summary>Holds any console permission: the page links to the administration console.</summary>
    public bool IsAdministrator { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Session = await sessions.GetCurrentAsync(HttpContext);
        if (Session is null)
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        IsAdministrator = (await permissions.ResolveForUserAsync(Session.Subject, cancellationToken)).Count > 0;
        return Page();
    }

    /// <summary>
    /// Signs out of this provider only; applications keep their own sessions until they log out
    /// here. A federated session gets the signed-out page, which offers the upstream's sign-out.
    /// </summary>
    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await sessions.SignOutAsync(HttpContext);
        if (EndedFederatedSession.Of(HttpContext) is not null)
        {
            await pages.WriteSignedOutAsync(HttpContext);
            return new EmptyResult();
        }

        return new SeeOtherResult(LoginModel.Path);
    }
}
