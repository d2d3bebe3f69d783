using IdentityProvider.Account;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// "Lost your device?": asks for the account and answers the same whatever it is, so the page tells
/// nobody whether an account exists or uses two-factor authentication.
/// </summary>
[EnableRateLimiting(RateLimitingSetup.AccountRecoveryPolicy)]
public sealed class LostDeviceModel(LostDeviceRecovery recovery) : PageModel
{
    public const string Path = "/account/lost-device";

    public const string SentText = "If the account exists and uses two-factor authentication, we have sent an email with a link to its address. " +
        "The link works once and only for a short time. If no email arrives, check your spam folder or contact your administrator.";

    [BindProperty(SupportsGet = true)]
    public bool Sent { get; set; }

    [BindProperty]
    public string Login { get; set; } = "";

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(Login) && Login.Length <= 256)
        {
            await recovery.RequestAsync(Login, cancellationToken);
        }

        return new SeeOtherResult(Path + "?sent=true");
    }
}
