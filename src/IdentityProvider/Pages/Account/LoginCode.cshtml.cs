using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// The second step of sign-in: a six-digit code from the authenticator app, a passkey, or, with
/// <c>?method=recovery</c>, a recovery code. Each attempt passes the database gate first; posts
/// are limited per client address (the <c>sign-in</c> policy).
/// </summary>
[EnableRateLimiting(SignInRateLimitingSetup.PolicyName)]
public sealed class LoginCodeModel(
    PartialSignIn partial,
    SignInAttemptGate gate,
    TotpAuthenticator totp,
    RecoveryCodeService recoveryCodes,
    PasskeyAuthenticator passkeys,
    PasskeyManager passkeyList,
    SignInSteps steps,
    IAuditLog audit) : PageModel
{
    /// <summary>RFC 8176: password, a one-time password, and so more than one factor.</summary>
    public static readonly IReadOnlyList<string> TwoFactorAmr = ["pwd", "otp", "mfa"];

    [BindProperty(SupportsGet = true)]
    public string? Method { get; set; }

    [BindProperty]
    public string Code { get; set; } = "";

    public string? Error { get; private set; }

    public bool UsesRecoveryCode => Method == "recovery";

    /// <summary>The user has an authenticator app; without one (passkeys only) the code form is not offered.</summary>
    public bool HasTotp { get; private set; } = true;

    public bool HasPasskeys { get; private set; }

    public bool HasRecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) is { } redirect ? redirect : Page();

    /// <summary>A challenge that only this user's passkeys can answer.</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync(CancellationToken cancellationToken)
    {
        var pending = await partial.GetAsync(HttpContext);
        return pending is null || pending.FactorsComplete
            ? PasskeyResponses.Error(LoginModel.GenericError)
            : PasskeyResponses.Challenge(await passkeys.BeginAssertionAsync(PasskeyCeremonyPurposes.SecondFactor, pending.UserId, HttpContext, cancellationToken));
    }

    /// <summary>A passkey after the password: possession added to knowledge, with or without user verification.</summary>
    public async Task<IActionResult> OnPostPasskeyAsync(string? ceremony, string? credential, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        var pending = (await partial.GetAsync(HttpContext))!;
        if (!await gate.TryReserveAsync(pending.UserId, SignInFactor.SecondFactor, cancellationToken))
        {
            Error = LoginModel.GenericError;
            return Page();
        }

        var outcome = await passkeys.CompleteAssertionAsync(PasskeyCeremonyPurposes.SecondFactor, ceremony, credential, pending.UserId, HttpContext, cancellationToken);
        if (!outcome.Succeeded)
        {
            await gate.RecordFailureAsync(pending.UserId, SignInFactor.SecondFactor, cancellationToken);
            Error = outcome.Error;
            return Page();
        }

        await gate.RecordSuccessAsync(pending.UserId, SignInFactor.SecondFactor, signInComplete: true, cancellationToken);
        var amr = PasskeyAmr.AfterPassword(outcome.BackupEligible, outcome.UserVerified);
        return new SeeOtherResult(await steps.AfterFactorsAsync(HttpContext, pending.UserId, amr, pending.RequestId, cancellationToken));
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        var pending = (await partial.GetAsync(HttpContext))!;

        var code = Code;
        Code = "";
        if (string.IsNullOrWhiteSpace(code) || code.Length > 40 || !await gate.TryReserveAsync(pending.UserId, SignInFactor.SecondFactor, cancellationToken))
        {
            Error = LoginModel.GenericError;
            return Page();
        }

        var accepted = UsesRecoveryCode
            ? await recoveryCodes.RedeemAsync(pending.UserId, code, cancellationToken)
            : await totp.VerifyAsync(pending.UserId, code, cancellationToken) == TotpVerification.Valid;
        if (!accepted)
        {
            await gate.RecordFailureAsync(pending.UserId, SignInFactor.SecondFactor, cancellationToken);
            await audit.RecordAsync(new AuditRecord(AuditActions.SignInFailed, pending.UserId, AuditOutcome.Failure, TargetType: "user",
                TargetId: pending.UserId, Details: UsesRecoveryCode ? "recovery code: wrong or used" : "totp: wrong or reused"), cancellationToken);
            Error = LoginModel.GenericError;
            return Page();
        }

        await gate.RecordSuccessAsync(pending.UserId, SignInFactor.SecondFactor, signInComplete: true, cancellationToken);
        var next = await steps.AfterFactorsAsync(HttpContext, pending.UserId, TwoFactorAmr, pending.RequestId, cancellationToken);
        if (!UsesRecoveryCode)
        {
            return new SeeOtherResult(next);
        }

        // A used recovery code is one fewer: say how many remain before going on.
        TempData["RecoveryCodesRemaining"] = await recoveryCodes.CountRemainingAsync(pending.UserId, cancellationToken);
        TempData["Next"] = next;
        return new SeeOtherResult(RecoveryUsedModel.Path);
    }

    /// <returns>Where to go instead of this page: no sign-in in progress, or its factors are already done.</returns>
    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        var pending = await partial.GetAsync(HttpContext);
        if (pending is null)
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        if (pending.FactorsComplete)
        {
            return new SeeOtherResult(SignInSteps.PasskeyRequiredPath);
        }

        HasTotp = await totp.IsEnabledAsync(pending.UserId, cancellationToken);
        HasPasskeys = await passkeyList.CountAsync(pending.UserId, cancellationToken) > 0;
        HasRecoveryCodes = await recoveryCodes.CountRemainingAsync(pending.UserId, cancellationToken) > 0;
        return null;
    }
}
