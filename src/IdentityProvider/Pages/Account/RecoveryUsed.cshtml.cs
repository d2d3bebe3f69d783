using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Account;

/// <summary>After signing in with a recovery code: how many remain, then on to where the sign-in was going.</summary>
public sealed class RecoveryUsedModel : PageModel
{
    public const string Path = "/account/login/recovery-used";

    public int Remaining { get; private set; }

    public string Next { get; private set; } = "/account";

    public IActionResult OnGet()
    {
        // Both values were put there by the sign-in that just happened; Next is a URL the server made.
        if (TempData["RecoveryCodesRemaining"] is not int remaining || TempData["Next"] is not string next || !Url.IsLocalUrl(next))
        {
            return Redirect("/account");
        }

        Remaining = remaining;
        Next = next;
        return Page();
    }
}
