using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// Asks the signed-in user whether an application may have the scopes it requested. The answer
/// goes to the protocol through the interaction seam; remembered consent can be revoked later.
/// </summary>
public sealed class ConsentModel(AuthorizationInteraction interaction, IAuthenticationSessions sessions) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "request")]
    public string? RequestId { get; set; }

    /// <summary>An unchecked box sends nothing, so the default must be false; the page shows it checked.</summary>
    [BindProperty]
    public bool Remember { get; set; }

    public InteractionContext? Context { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Context = await interaction.GetContextAsync(RequestId, cancellationToken);
        if (Context is not null && await sessions.GetCurrentAsync(HttpContext) is null)
        {
            // Signed out meanwhile (another tab, an expired session): the protocol sends the user to sign in first.
            return Redirect(Context.ResumeUrl);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string decision, CancellationToken cancellationToken)
    {
        Context = await interaction.GetContextAsync(RequestId, cancellationToken);
        var session = await sessions.GetCurrentAsync(HttpContext);
        if (Context is null || session is null)
        {
            return Context is null ? Page() : new SeeOtherResult(Context.ResumeUrl);
        }

        var next = await interaction.CompleteConsentAsync(Context.RequestId, session.Subject, granted: decision == "allow", Remember, cancellationToken);
        if (next is null)
        {
            Context = null;
            return Page();
        }

        return new SeeOtherResult(next);
    }

    /// <summary>Plain-language meaning of the standard scopes; others are shown by name.</summary>
    public static string Describe(string scope) => scope switch
    {
        "openid" => "Sign you in with your account",
        "profile" => "See your name",
        "email" => "See your email address",
        "offline_access" => "Keep access while you are not using it",
        _ => scope,
    };
}
