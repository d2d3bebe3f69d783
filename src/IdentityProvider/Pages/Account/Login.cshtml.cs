using IdentityProvider.Authentication.Passwords;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Account;

/// <summary>The password step. Users with a second factor continue on the code page; others are signed in.</summary>
public sealed class LoginModel(
    AuthorizationInteraction interaction,
    PasswordAuthenticator passwords,
    PartialSignIn partial,
    SignInCompletion completion,
    TimeProvider time) : PageModel
{
    /// <summary>One text for every failure (seed 002): nothing tells which part was wrong, or whether the account exists.</summary>
    public const string GenericError = "Login failed. Please check your login details and try again. Otherwise contact your administrator.";

    public const string Path = "/account/login";
    public const string LoginCodePath = "/account/login/code";

    [BindProperty(SupportsGet = true, Name = "request")]
    public string? RequestId { get; set; }

    [BindProperty]
    public string Username { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    public string? ClientName { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var context = await interaction.GetContextAsync(RequestId, cancellationToken);
        ClientName = context?.ClientDisplayName;
        Username = context?.LoginHint ?? "";
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        ClientName = (await interaction.GetContextAsync(RequestId, cancellationToken))?.ClientDisplayName;
        var check = string.IsNullOrWhiteSpace(Username) || string.IsNullOrEmpty(Password) || Username.Length > 256 || Password.Length > 1024
            ? new PasswordCheck(null)
            : await passwords.CheckAsync(Username, Password, cancellationToken);
        Password = "";
        if (!check.Succeeded)
        {
            Error = GenericError;
            return Page();
        }

        var user = check.User!;
        if (user.TwoFactorEnabled)
        {
            await partial.StartAsync(HttpContext, new PendingSecondFactor(user.Id, time.GetUtcNow(), RequestId));
            return new SeeOtherResult(LoginCodePath);
        }

        return new SeeOtherResult(await completion.CompleteAsync(HttpContext, user.Id, ["pwd"], RequestId, cancellationToken));
    }
}
