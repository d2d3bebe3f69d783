using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// An administrator asked this user for a new passkey (m2v's "Request new passkey"): after their
/// factors, the sign-in stops here until they register one. Only a sign-in whose factors are all
/// proven reaches this page, so it never replaces a factor.
/// </summary>
[EnableRateLimiting(RateLimitingSetup.SignInPolicy)]
public sealed class PasskeyRequiredModel(
    PartialSignIn partial,
    PasskeyAuthenticator passkeys,
    SignInSteps steps,
    UserManager<ApplicationUser> users) : PageModel
{
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync() =>
        await PendingAsync() is null ? new SeeOtherResult(LoginModel.Path) : Page();

    public async Task<IActionResult> OnPostPasskeyCreationOptionsAsync(string? name, CancellationToken cancellationToken)
    {
        if (await PendingAsync() is not { } pending || await users.FindByIdAsync(pending.UserId) is not { } user)
        {
            return PasskeyResponses.Error("Your sign-in has expired. Sign in again.");
        }

        return await PasskeyResponses.RegistrationChallengeAsync(passkeys, user, name, HttpContext, cancellationToken);
    }

    public async Task<IActionResult> OnPostRegisterPasskeyAsync(string? ceremony, string? credential, CancellationToken cancellationToken)
    {
        if (await PendingAsync() is not { } pending)
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        var outcome = await passkeys.CompleteRegistrationAsync(pending.UserId, ceremony, credential, HttpContext, cancellationToken);
        if (!outcome.Succeeded)
        {
            Error = outcome.Error;
            return Page();
        }

        // The request is met (registration cleared it), so the sign-in now completes with the factors proven before.
        return new SeeOtherResult(await steps.AfterFactorsAsync(HttpContext, pending.UserId, pending.Amr, pending.RequestId, cancellationToken, pending.Federation));
    }

    private async Task<PendingSignIn?> PendingAsync()
    {
        Response.Headers.CacheControl = "no-store";
        var pending = await partial.GetAsync(HttpContext);
        return pending is { Stage: PendingStage.PasskeyRegistration } ? pending : null;
    }
}
