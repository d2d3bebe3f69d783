using IdentityProvider.Account;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.Passwords;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// My account → Security: set up an authenticator app (after re-entering the password), see and
/// regenerate recovery codes, disable two-factor sign-in; add, rename and remove passkeys; see
/// and forget the browsers where the second factor is not asked again. Its
/// password and code posts are limited per client address (the <c>sign-in</c> policy).
/// </summary>
[EnableRateLimiting(RateLimitingSetup.SignInPolicy)]
public sealed class SecurityModel(
    IAuthenticationSessions sessions,
    UserManager<ApplicationUser> users,
    PasswordAuthenticator passwords,
    TotpAuthenticator totp,
    RecoveryCodeService recoveryCodes,
    SecuritySettings settings,
    MfaSettingsStore policySettings,
    PasskeyAuthenticator passkeys,
    PasskeyManager passkeyManager,
    RememberedBrowserStore browsers,
    IOptions<PasskeyOptions> passkeyOptions,
    TimeProvider time) : PageModel
{
    public const string Path = "/account/security";

    /// <summary>TempData key of a message for the next visit of this page.</summary>
    public const string MessageKey = "SecurityMessage";

    public const string MfaTurnedOff = "Two-factor authentication is turned off by your administrator, so nothing new can be set up.";

    public SecurityOverview Overview { get; private set; } = new(false, 0);

    /// <summary>Set while the user is adding the authenticator app: what to scan or type.</summary>
    public TotpEnrolment? Enrolment { get; private set; }

    /// <summary>Set once, right after they were made: the only time the codes are ever shown.</summary>
    public IReadOnlyList<string>? NewRecoveryCodes { get; private set; }

    public IReadOnlyList<PasskeySummary> Passkeys { get; private set; } = [];

    /// <summary>Browsers where the second factor is not asked again (those still honoured).</summary>
    public IReadOnlyList<RememberedBrowserSummary> RememberedBrowsers { get; private set; } = [];

    /// <summary>0 when the administrator does not let users be remembered.</summary>
    public int RememberBrowserDays { get; private set; }

    /// <summary>The global switch: off, nothing new can be set up here (existing factors stay and can be removed).</summary>
    public bool MfaEnabled { get; private set; } = true;

    /// <summary>
    /// Adding a passkey, or removing the last strong factor, needs a sign-in from the last few
    /// minutes; an older session confirms the password instead.
    /// </summary>
    public bool SignInIsFresh { get; private set; }

    /// <summary>Removing this passkey would leave the account with a password only.</summary>
    public bool IsLastStrongFactor => !Overview.TotpEnabled && Passkeys.Count == 1;

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    private ApplicationUser? Account { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        // Set by the page the user came from, e.g. after a lost-device recovery.
        Message = TempData[MessageKey] as string;
        return Page();
    }

    /// <summary>Odoo and seed 003: the password is confirmed again before a factor is added.</summary>
    public async Task<IActionResult> OnPostStartTotpAsync(string? password, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        if (Overview.TotpEnabled || !MfaEnabled)
        {
            return Page();
        }

        var check = string.IsNullOrEmpty(password) ? new PasswordCheck(null) : await passwords.CheckAsync(Account!.UserName!, password, cancellationToken);
        if (check.Throttled)
        {
            return new TooManyAttemptsResult(LoginModel.ThrottledRetryAfter);
        }

        if (!check.Succeeded)
        {
            Error = "That password is not correct.";
            return Page();
        }

        Enrolment = await totp.BeginEnrolmentAsync(Account!.Id, AccountName, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostActivateTotpAsync(string? code, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        // An enrolment started before MFA was turned off is not finished while it is off.
        if (!MfaEnabled)
        {
            Error = MfaTurnedOff;
            return Page();
        }

        if (string.IsNullOrWhiteSpace(code) || !await totp.ActivateAsync(Account!.Id, code, cancellationToken))
        {
            Enrolment = await totp.FindPendingEnrolmentAsync(Account!.Id, AccountName, cancellationToken);
            Error = Enrolment is null ? "Start the setup again." : "That code did not match. Check the time on your phone and enter the newest code.";
            return Page();
        }

        NewRecoveryCodes = await recoveryCodes.GenerateAsync(Account!.Id, cancellationToken);
        Overview = await settings.GetAsync(Account!.Id, cancellationToken);
        Message = "Two-factor authentication is on. From now on you sign in with your password and a code from the app.";
        return Page();
    }

    public async Task<IActionResult> OnPostRegenerateCodesAsync(string? code, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        if (!MfaEnabled)
        {
            Error = MfaTurnedOff;
            return Page();
        }

        NewRecoveryCodes = await settings.RegenerateRecoveryCodesAsync(Account!.Id, code, cancellationToken);
        Error = NewRecoveryCodes is null ? "That code was not accepted." : null;
        Overview = await settings.GetAsync(Account!.Id, cancellationToken);
        return Page();
    }

    /// <summary>Seed 004: a current code (or a recovery code) and an explicit confirmation.</summary>
    public async Task<IActionResult> OnPostDisableAsync(string? code, bool confirm, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        if (!confirm)
        {
            Error = "Tick the box to confirm that you want to turn off two-factor authentication.";
            return Page();
        }

        if (!await settings.DisableAsync(Account!.Id, code, cancellationToken))
        {
            Error = "That code was not accepted.";
            return Page();
        }

        Overview = await settings.GetAsync(Account!.Id, cancellationToken);
        Message = "Two-factor authentication is off. Your administrators have been informed.";
        return Page();
    }

    /// <summary>Returns the challenge for <c>navigator.credentials.create</c>, or a message to show.</summary>
    public async Task<IActionResult> OnPostPasskeyCreationOptionsAsync(string? name, string? password, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return PasskeyResponses.Error("Your session has ended. Sign in again.");
        }

        if (!MfaEnabled)
        {
            return PasskeyResponses.Error(MfaTurnedOff);
        }

        if (await ConfirmRecentSignInAsync(password, cancellationToken) is { } refused)
        {
            return refused is TooManyAttemptsResult ? refused : PasskeyResponses.Error(Error!);
        }

        return await PasskeyResponses.RegistrationChallengeAsync(passkeys, Account!, name, HttpContext, cancellationToken);
    }

    public async Task<IActionResult> OnPostRegisterPasskeyAsync(string? ceremony, string? credential, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        // A ceremony started before MFA was turned off is not finished while it is off.
        if (!MfaEnabled)
        {
            Error = MfaTurnedOff;
            return Page();
        }

        var outcome = await passkeys.CompleteRegistrationAsync(Account!.Id, ceremony, credential, HttpContext, cancellationToken);
        if (!outcome.Succeeded)
        {
            Error = outcome.Error;
            return Page();
        }

        TempData[MessageKey] = "Your passkey has been added. You can now sign in with it.";
        return new SeeOtherResult(Path);
    }

    public async Task<IActionResult> OnPostRenamePasskeyAsync(string? id, string? name, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        if (PasskeyNames.Validate(name, out var passkeyName) is { } invalid)
        {
            Error = invalid;
            return Page();
        }

        if (!await passkeyManager.RenameAsync(Account!.Id, id ?? "", passkeyName, cancellationToken))
        {
            Error = "That passkey no longer exists.";
            return Page();
        }

        TempData[MessageKey] = "The passkey has been renamed.";
        return new SeeOtherResult(Path);
    }

    /// <summary>The last strong factor goes only after a recent sign-in or the password again.</summary>
    public async Task<IActionResult> OnPostDeletePasskeyAsync(string? id, string? password, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        var wasLast = IsLastStrongFactor;
        if (wasLast && await ConfirmRecentSignInAsync(password, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!await passkeyManager.DeleteAsync(Account!.Id, id ?? "", Account.Id, cancellationToken))
        {
            Error = "That passkey no longer exists.";
            return Page();
        }

        TempData[MessageKey] = wasLast
            ? "The passkey has been removed. You now sign in with your password only; your administrators have been informed."
            : "The passkey has been removed.";
        return new SeeOtherResult(Path);
    }

    public async Task<IActionResult> OnPostForgetBrowserAsync(string? id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        TempData[MessageKey] = await browsers.ForgetAsync(Account!.Id, id ?? "", Account.Id, cancellationToken)
            ? "The browser has been forgotten: it will be asked for your second factor again."
            : "That browser was already forgotten.";
        return new SeeOtherResult(Path);
    }

    public async Task<IActionResult> OnPostForgetAllBrowsersAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        await browsers.ForgetAllAsync(Account!.Id, Account.Id, cancellationToken);
        TempData[MessageKey] = "Every browser has been forgotten: each will be asked for your second factor again.";
        return new SeeOtherResult(Path);
    }

    public string AccountName => Account!.Email ?? Account.UserName ?? Account.Id;

    /// <returns>Null when the sign-in is recent or the password is right; otherwise what to answer, with <see cref="Error"/> set.</returns>
    private async Task<IActionResult?> ConfirmRecentSignInAsync(string? password, CancellationToken cancellationToken)
    {
        if (SignInIsFresh)
        {
            return null;
        }

        var check = string.IsNullOrEmpty(password) ? new PasswordCheck(null) : await passwords.CheckAsync(Account!.UserName!, password, cancellationToken);
        if (check.Throttled)
        {
            return new TooManyAttemptsResult(LoginModel.ThrottledRetryAfter);
        }

        if (check.Succeeded)
        {
            return null;
        }

        Error = string.IsNullOrEmpty(password) ? "Enter your password to confirm it's you." : "That password is not correct.";
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        var session = await sessions.GetCurrentAsync(HttpContext);
        Account = session is null ? null : await users.FindByIdAsync(session.Subject);
        if (Account is null)
        {
            return false;
        }

        SignInIsFresh = time.GetUtcNow() - session!.AuthTime <= passkeyOptions.Value.FreshSignInWindow;
        var policy = await policySettings.GetAsync(cancellationToken);
        MfaEnabled = policy.MfaEnabled;
        RememberBrowserDays = policy.RememberBrowserDays;
        Overview = await settings.GetAsync(Account.Id, cancellationToken);
        Passkeys = await passkeyManager.ListAsync(Account.Id, cancellationToken);
        RememberedBrowsers = await browsers.ListAsync(HttpContext, Account.Id, cancellationToken);
        return true;
    }
}
