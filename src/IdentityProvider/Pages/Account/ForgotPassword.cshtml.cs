using IdentityProvider.Account;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// "Forgot your password?": asks for the account and answers the same whatever it is, so the page
/// tells nobody whether an account exists (<see cref="PasswordResetLinks.RequestAsync"/>).
/// </summary>
[EnableRateLimiting(RateLimitingSetup.AccountRecoveryPolicy)]
public sealed class ForgotPasswordModel(PasswordResetLinks links) : PageModel
{
    public const string Path = "/account/password/forgot";

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
            await links.RequestAsync(Login, cancellationToken);
        }

        return new SeeOtherResult(Path + "?sent=true");
    }
}
