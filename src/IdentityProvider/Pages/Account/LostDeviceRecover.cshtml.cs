using IdentityProvider.Account;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// Where the lost-device email leads: the link alone shows only a sign-in form; with the account's
/// password the second factor is removed and the user is signed in with the password.
/// </summary>
[EnableRateLimiting(RateLimitingSetup.AccountRecoveryPolicy)]
public sealed class LostDeviceRecoverModel(LostDeviceRecovery recovery, SignInCompletion completion) : PageModel
{
    public const string Path = "/account/lost-device/recover";

    public const string InvalidLinkText = "This link has expired or was already used. Request a new one.";

    public const string RecoveredText = "Two-factor authentication is off, and your administrators have been informed. " +
        "Set up your authenticator app again now, so your password alone cannot open your account.";

    /// <summary>RFC 8176: the password was the only factor proven.</summary>
    private static readonly IReadOnlyList<string> PasswordAmr = ["pwd"];

    // From the query string on GET and POST alike: the form posts back to the link's own address.
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string Username { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    public bool LinkInvalid { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        LinkInvalid = !await recovery.IsUsableAsync(Token, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        var result = await recovery.RecoverAsync(Token, Username, Password, cancellationToken);
        Password = "";
        switch (result.Outcome)
        {
            case LostDeviceOutcome.Recovered:
                await completion.CompleteAsync(HttpContext, result.UserId!, PasswordAmr, requestId: null, cancellationToken);
                TempData[SecurityModel.MessageKey] = RecoveredText;
                return new SeeOtherResult(SecurityModel.Path);
            case LostDeviceOutcome.WrongCredentials:
                Error = LoginModel.GenericError;
                return Page();
            default:
                LinkInvalid = true;
                return Page();
        }
    }
}
