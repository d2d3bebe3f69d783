using IdentityProvider.Authentication.EmailCodes;
using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// The second step of sign-in, offering what the MFA policy allows for this sign-in: a six-digit
/// code from the authenticator app, a passkey, or, with <c>?method=recovery</c>, a recovery code;
/// to a user without an authenticator, where the policy allows it, a code by email.
/// Each attempt passes the database gate first; posts are limited per client address (the
/// <c>sign-in</c> policy).
/// </summary>
[EnableRateLimiting(RateLimitingSetup.SignInPolicy)]
public sealed class LoginCodeModel(
    PartialSignIn partial,
    SignInAttemptGate gate,
    TotpAuthenticator totp,
    RecoveryCodeService recoveryCodes,
    PasskeyAuthenticator passkeys,
    EmailSignInCodes emailCodes,
    SignInSteps steps,
    RememberedBrowserStore browsers,
    MfaSettingsStore settings,
    AuthorizationInteraction interaction,
    IAuditLog audit) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Method { get; set; }

    [BindProperty]
    public string Code { get; set; } = "";

    /// <summary>"Don't ask again on this browser", ticked.</summary>
    [BindProperty]
    public bool Remember { get; set; }

    /// <summary>The days "don't ask again" lasts, or 0 when this sign-in does not offer it.</summary>
    public int RememberDays { get; private set; }

    public string? Error { get; private set; }

    public bool UsesRecoveryCode => Method == "recovery" && Offers(SecondFactorKind.RecoveryCode);

    public bool HasTotp => Offers(SecondFactorKind.Totp);

    public bool HasPasskeys => Offers(SecondFactorKind.Passkey);

    public bool HasRecoveryCodes => Offers(SecondFactorKind.RecoveryCode);

    public bool HasEmailCode => Offers(SecondFactorKind.EmailCode);

    /// <summary>Where an emailed code goes, masked (<c>a•••@example.com</c>): all the page reveals of the address.</summary>
    public string? EmailAddress { get; private set; }

    /// <summary>What the last "email me a code" did, for the page to say.</summary>
    public EmailCodeSendOutcome? EmailSent { get; private set; }

    /// <summary>The input for the emailed code: after a send, or with <c>?method=email</c>.</summary>
    public bool ShowsEmailCodeInput => HasEmailCode && (Method == "email" || EmailSent is not null);

    /// <summary>What the policy lets this sign-in use now; a passkey only, for a phishing-resistant step-up.</summary>
    private IReadOnlyList<SecondFactorKind> Offer { get; set; } = [];

    private PendingSignIn Pending { get; set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ?? Page();

    /// <summary>A challenge that only this user's passkeys can answer.</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) is null && HasPasskeys
            ? PasskeyResponses.Challenge(await passkeys.BeginAssertionAsync(PasskeyCeremonyPurposes.SecondFactor, Pending.UserId, HttpContext, cancellationToken))
            : PasskeyResponses.Error(LoginModel.GenericError);

    /// <summary>A passkey as the second step: possession added to what was proven, with or without user verification.</summary>
    public async Task<IActionResult> OnPostPasskeyAsync(string? ceremony, string? credential, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        if (!HasPasskeys || !await gate.TryReserveAsync(Pending.UserId, SignInFactor.SecondFactor, cancellationToken))
        {
            Error = LoginModel.GenericError;
            return Page();
        }

        var outcome = await passkeys.CompleteAssertionAsync(PasskeyCeremonyPurposes.SecondFactor, ceremony, credential, Pending.UserId, HttpContext, cancellationToken);
        if (!outcome.Succeeded)
        {
            await gate.RecordFailureAsync(Pending.UserId, SignInFactor.SecondFactor, cancellationToken);
            Error = outcome.Error;
            return Page();
        }

        await gate.RecordSuccessAsync(Pending.UserId, SignInFactor.SecondFactor, signInComplete: true, cancellationToken);
        await RememberIfAskedAsync(cancellationToken);
        var amr = SignInSteps.Combine(Pending.Amr, PasskeyAmr.Of(outcome.BackupEligible, outcome.UserVerified));
        return new SeeOtherResult(await steps.AfterFactorsAsync(HttpContext, Pending.UserId, amr, Pending.RequestId, cancellationToken, Pending.Federation));
    }

    /// <summary>Emails a code, unless one went out within the resend interval; the page then says to wait.</summary>
    public async Task<IActionResult> OnPostSendEmailCodeAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        var outcome = HasEmailCode ? await emailCodes.SendAsync(Pending.UserId, cancellationToken) : EmailCodeSendOutcome.Unavailable;
        if (outcome == EmailCodeSendOutcome.Unavailable)
        {
            Error = LoginModel.GenericError;
            return Page();
        }

        EmailSent = outcome;
        return Page();
    }

    /// <summary>The emailed code as the second step: through the gate, so wrong codes count toward lockout.</summary>
    public async Task<IActionResult> OnPostEmailCodeAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        var code = Code;
        Code = "";
        Method = "email";
        if (!HasEmailCode || string.IsNullOrWhiteSpace(code) || code.Length > 40 || !await gate.TryReserveAsync(Pending.UserId, SignInFactor.SecondFactor, cancellationToken))
        {
            Error = LoginModel.GenericError;
            return Page();
        }

        if (!await emailCodes.VerifyAsync(Pending.UserId, code, cancellationToken))
        {
            await gate.RecordFailureAsync(Pending.UserId, SignInFactor.SecondFactor, cancellationToken);
            await audit.RecordAsync(new AuditRecord(AuditActions.SignInFailed, Pending.UserId, AuditOutcome.Failure, TargetType: "user",
                TargetId: Pending.UserId, Details: "email code: wrong, used or expired"), cancellationToken);
            Error = LoginModel.GenericError;
            return Page();
        }

        await gate.RecordSuccessAsync(Pending.UserId, SignInFactor.SecondFactor, signInComplete: true, cancellationToken);
        // RFC 8176 has no value for a code sent by email; it is a one-time password ("otp"), and the
        // audit row written by the verification records the method.
        return new SeeOtherResult(await steps.AfterFactorsAsync(HttpContext, Pending.UserId, SignInSteps.Combine(Pending.Amr, ["otp"]), Pending.RequestId, cancellationToken, Pending.Federation));
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        var code = Code;
        Code = "";
        var usable = UsesRecoveryCode || HasTotp;
        if (!usable || string.IsNullOrWhiteSpace(code) || code.Length > 40 || !await gate.TryReserveAsync(Pending.UserId, SignInFactor.SecondFactor, cancellationToken))
        {
            Error = LoginModel.GenericError;
            return Page();
        }

        var accepted = UsesRecoveryCode
            ? await recoveryCodes.RedeemAsync(Pending.UserId, code, cancellationToken)
            : await totp.VerifyAsync(Pending.UserId, code, cancellationToken) == TotpVerification.Valid;
        if (!accepted)
        {
            await gate.RecordFailureAsync(Pending.UserId, SignInFactor.SecondFactor, cancellationToken);
            await audit.RecordAsync(new AuditRecord(AuditActions.SignInFailed, Pending.UserId, AuditOutcome.Failure, TargetType: "user",
                TargetId: Pending.UserId, Details: UsesRecoveryCode ? "recovery code: wrong or used" : "totp: wrong or reused"), cancellationToken);
            Error = LoginModel.GenericError;
            return Page();
        }

        await gate.RecordSuccessAsync(Pending.UserId, SignInFactor.SecondFactor, signInComplete: true, cancellationToken);
        await RememberIfAskedAsync(cancellationToken);
        // RFC 8176 has no value for a recovery code; it is a one-time password like the app's.
        var next = await steps.AfterFactorsAsync(HttpContext, Pending.UserId, SignInSteps.Combine(Pending.Amr, ["otp"]), Pending.RequestId, cancellationToken, Pending.Federation);
        if (!UsesRecoveryCode)
        {
            return new SeeOtherResult(next);
        }

        // A used recovery code is one fewer: say how many remain before going on.
        TempData["RecoveryCodesRemaining"] = await recoveryCodes.CountRemainingAsync(Pending.UserId, cancellationToken);
        TempData["Next"] = next;
        return new SeeOtherResult(RecoveryUsedModel.Path);
    }

    private bool Offers(SecondFactorKind kind) => Offer.Contains(kind);

    private async Task RememberIfAskedAsync(CancellationToken cancellationToken)
    {
        if (Remember && RememberDays > 0)
        {
            await browsers.RememberAsync(HttpContext, Pending.UserId, cancellationToken);
        }
    }

    /// <summary>
    /// "Don't ask again" is offered when the administrator allows it, but not on a sign-in the
    /// application forced (prompt=login, max_age): the user came to prove their factors afresh.
    /// </summary>
    private async Task<int> RememberDaysAsync(string? requestId, CancellationToken cancellationToken)
    {
        var days = (await settings.GetAsync(cancellationToken)).RememberBrowserDays;
        return days > 0 && await interaction.GetContextAsync(requestId, cancellationToken) is not { ReauthenticationRequested: true } ? days : 0;
    }

    /// <returns>Where to go instead of this page: no sign-in in progress, or it waits at another step.</returns>
    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        if (await partial.GetAsync(HttpContext) is not { } pending)
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        if (pending.Stage != PendingStage.SecondFactor)
        {
            return new SeeOtherResult(SignInSteps.PathOf(pending.Stage));
        }

        Pending = pending;
        var decision = await steps.DecideAsync(HttpContext, pending.UserId, pending.Amr, pending.RequestId, cancellationToken, pending.Federation);
        if (decision is null)
        {
            await partial.EndAsync(HttpContext);
            return new SeeOtherResult(LoginModel.Path);
        }

        // The policy changed while the user was here (MFA turned off, factors removed): the sign-in
        // goes where it now leads instead of asking for something it no longer needs or has.
        if (decision.Satisfied || decision.Offer.Count == 0)
        {
            return new SeeOtherResult(await steps.AfterFirstFactorAsync(HttpContext, pending.UserId, pending.Amr, pending.RequestId, cancellationToken, pending.Federation));
        }

        Offer = decision.Offer;
        if (HasEmailCode)
        {
            EmailAddress = await emailCodes.MaskedAddressAsync(pending.UserId, cancellationToken);
        }

        RememberDays = await RememberDaysAsync(pending.RequestId, cancellationToken);
        return null;
    }
}
