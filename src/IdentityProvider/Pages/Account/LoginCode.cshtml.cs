using IdentityProvider.Authentication.Lockout;
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
/// The second step of sign-in: a six-digit code from the authenticator app or, with
/// <c>?method=recovery</c>, a recovery code. Each attempt passes the database gate first; posts
/// are limited per client address (the <c>sign-in</c> policy).
/// </summary>
[EnableRateLimiting(SignInRateLimitingSetup.PolicyName)]
public sealed class LoginCodeModel(
    PartialSignIn partial,
    SignInAttemptGate gate,
    TotpAuthenticator totp,
    RecoveryCodeService recoveryCodes,
    SignInCompletion completion,
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

    public async Task<IActionResult> OnGetAsync() =>
        await partial.GetAsync(HttpContext) is null ? new SeeOtherResult(LoginModel.Path) : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var pending = await partial.GetAsync(HttpContext);
        if (pending is null)
        {
            return new SeeOtherResult(LoginModel.Path);
        }

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
        var next = await completion.CompleteAsync(HttpContext, pending.UserId, TwoFactorAmr, pending.RequestId, cancellationToken);
        if (!UsesRecoveryCode)
        {
            return new SeeOtherResult(next);
        }

        // A used recovery code is one fewer: say how many remain before going on.
        TempData["RecoveryCodesRemaining"] = await recoveryCodes.CountRemainingAsync(pending.UserId, cancellationToken);
        TempData["Next"] = next;
        return new SeeOtherResult(RecoveryUsedModel.Path);
    }
}
