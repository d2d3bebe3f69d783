using IdentityProvider.Account;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Account;

/// <summary>My account → Connected applications: what the user allowed, and withdrawing it.</summary>
public sealed class ApplicationsModel(ConnectedApplications applications, IAuthenticationSessions sessions) : PageModel
{
    public IReadOnlyList<ConnectedApplication> Applications { get; private set; } = [];

    public bool SignedIn { get; private set; }

    [TempData]
    public string? Message { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var session = await sessions.GetCurrentAsync(HttpContext);
        SignedIn = session is not null;
        if (session is not null)
        {
            Applications = await applications.ListAsync(session.Subject, cancellationToken);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string clientId, CancellationToken cancellationToken)
    {
        var session = await sessions.GetCurrentAsync(HttpContext);
        if (session is null)
        {
            return new SeeOtherResult(Url.Page("/Account/Applications")!);
        }

        Message = await applications.RevokeAsync(session.Subject, clientId, cancellationToken)
            ? "Access withdrawn. The application will ask again next time you use it."
            : "That application had no access to withdraw.";
        return new SeeOtherResult(Url.Page("/Account/Applications")!);
    }
}
