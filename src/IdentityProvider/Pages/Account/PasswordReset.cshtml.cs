using IdentityProvider.Account;
using IdentityProvider.Authentication.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// Where the password-reset and invitation emails lead: a new password, twice, checked by
/// Identity's password validators (<see cref="PasswordResetLinks.ResetAsync"/>). The link works once;
/// afterwards the user signs in as usual, second factor included.
/// </summary>
[EnableRateLimiting(RateLimitingSetup.AccountRecoveryPolicy)]
public sealed class PasswordResetModel(PasswordResetLinks links) : PageModel
{
    public const string Path = "/account/password/reset";

    public const string InvalidLinkText = "This link has expired or was already used. Ask for a new one.";

    public const string MismatchText = "The two passwords do not match.";

    // From the query string on GET and POST alike: the form posts back to the link's own address.
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty]
    public string ConfirmPassword { get; set; } = "";

    public bool LinkInvalid { get; private set; }

    public bool Done { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        LinkInvalid = !await links.IsUsableAsync(Token, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        if (!string.Equals(Password, ConfirmPassword, StringComparison.Ordinal))
        {
            LinkInvalid = !await links.IsUsableAsync(Token, cancellationToken);
            Errors = [MismatchText];
        }
        else
        {
            var result = await links.ResetAsync(Token, Password, cancellationToken);
            LinkInvalid = result.Outcome == PasswordResetOutcome.LinkInvalid;
            Done = result.Outcome == PasswordResetOutcome.PasswordSet;
            Errors = result.Errors;
        }

        Password = "";
        ConfirmPassword = "";
        return Page();
    }
}
