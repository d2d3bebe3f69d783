using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// Forced enrolment: the policy requires a second factor this user has not set up (organisation,
/// role, "MFA required", or the application), so right after the password the user sets up an
/// authenticator app or a passkey here and cannot reach the application without it, unless the
/// policy's grace lets them postpone it. Setting up the factor proves it (the first code, the new
/// passkey), so the sign-in then counts as two-factor.
/// </summary>
[EnableRateLimiting(RateLimitingSetup.SignInPolicy)]
public sealed class MfaSetupModel(
    PartialSignIn partial,
    SignInSteps steps,
    TotpAuthenticator totp,
    RecoveryCodeService recoveryCodes,
    PasskeyAuthenticator passkeys,
    UserManager<ApplicationUser> users,
    IdentityProviderDbContext db,
    IAuditLog audit,
    TimeProvider time) : PageModel
{
    public MfaDecision Decision { get; private set; } = null!;

    public TotpEnrolment? Enrolment { get; private set; }

    public IReadOnlyList<string>? NewRecoveryCodes { get; private set; }

    public string? Error { get; private set; }

    /// <summary>An authenticator app reaches the level required (not so for a phishing-resistant demand).</summary>
    public bool OffersTotp => Decision.Required <= AssuranceLevel.Mfa;

    private PendingSignIn Pending { get; set; } = null!;

    private ApplicationUser Account { get; set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostStartTotpAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        if (OffersTotp && !await totp.IsEnabledAsync(Account.Id, cancellationToken))
        {
            Enrolment = await totp.FindPendingEnrolmentAsync(Account.Id, AccountName, cancellationToken)
                ?? await totp.BeginEnrolmentAsync(Account.Id, AccountName, cancellationToken);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostActivateTotpAsync(string? code, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        if (string.IsNullOrWhiteSpace(code) || code.Length > 20 || !await totp.ActivateAsync(Account.Id, code, cancellationToken))
        {
            Enrolment = await totp.FindPendingEnrolmentAsync(Account.Id, AccountName, cancellationToken);
            Error = Enrolment is null ? "Start the setup again." : "That code did not match. Check the time on your phone and enter the newest code.";
            return Page();
        }

        // The first code proved the app: this sign-in now has its second factor, and shows the
        // recovery codes once before going on.
        await partial.StartAsync(HttpContext, Pending with { Amr = SignInSteps.Combine(Pending.Amr, ["otp"]) });
        NewRecoveryCodes = await recoveryCodes.GenerateAsync(Account.Id, cancellationToken);
        return Page();
    }

    /// <summary>After the recovery codes: on to the application, with the factor set up here.</summary>
    public async Task<IActionResult> OnPostContinueAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        return AssuranceLevels.FromAmr(Pending.Amr) >= Decision.Required
            ? new SeeOtherResult(await steps.AfterFactorsAsync(HttpContext, Pending.UserId, Pending.Amr, Pending.RequestId, cancellationToken, Pending.Federation))
            : Page();
    }

    public async Task<IActionResult> OnPostPasskeyCreationOptionsAsync(string? name, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is not null)
        {
            return PasskeyResponses.Error("Your sign-in has expired. Sign in again.");
        }

        return await PasskeyResponses.RegistrationChallengeAsync(passkeys, Account, name, HttpContext, cancellationToken);
    }

    public async Task<IActionResult> OnPostRegisterPasskeyAsync(string? ceremony, string? credential, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        var outcome = await passkeys.CompleteRegistrationAsync(Account.Id, ceremony, credential, HttpContext, cancellationToken);
        if (!outcome.Succeeded)
        {
            Error = outcome.Error;
            return Page();
        }

        var amr = SignInSteps.Combine(Pending.Amr, PasskeyAmr.Of(outcome.BackupEligible, outcome.UserVerified));
        return new SeeOtherResult(await steps.AfterFactorsAsync(HttpContext, Pending.UserId, amr, Pending.RequestId, cancellationToken, Pending.Federation));
    }

    /// <summary>The policy's grace: not now, on to the application with what was proven.</summary>
    public async Task<IActionResult> OnPostPostponeAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        if (Decision.Enrolment != EnrolmentDemand.Deferrable)
        {
            Error = "Setting up a second factor cannot be postponed any more.";
            return Page();
        }

        await db.Users.Where(u => u.Id == Account.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.MfaEnrolmentDeferrals, u => u.MfaEnrolmentDeferrals + 1), cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.MfaEnrolmentPostponed, Account.Id, TargetType: "user", TargetId: Account.Id,
            Details: string.Join("; ", Decision.Reasons.Select(r => r.Code))), cancellationToken);
        return new SeeOtherResult(await steps.AfterFactorsAsync(HttpContext, Pending.UserId, Pending.Amr, Pending.RequestId, cancellationToken, Pending.Federation));
    }

    public string AccountName => Account.Email ?? Account.UserName ?? Account.Id;

    /// <returns>Where to go instead: no sign-in waiting here, or the policy no longer asks for enrolment.</returns>
    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        if (await partial.GetAsync(HttpContext) is not { } pending)
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        if (pending.Stage != PendingStage.Enrolment)
        {
            return new SeeOtherResult(SignInSteps.PathOf(pending.Stage));
        }

        if (await users.FindByIdAsync(pending.UserId) is not { } account
            || await steps.DecideAsync(HttpContext, pending.UserId, pending.Amr, pending.RequestId, cancellationToken, pending.Federation) is not { } decision)
        {
            await partial.EndAsync(HttpContext);
            return new SeeOtherResult(LoginModel.Path);
        }

        (Pending, Account, Decision) = (pending, account, decision);
        if (decision.Enrolment == EnrolmentDemand.None)
        {
            // Nothing to set up here any more (MFA turned off, or the organisation, role or user flag
            // that required it lifted meanwhile, or the factor set up here already proven): the
            // sign-in continues as the policy now says.
            return new SeeOtherResult(await steps.AfterFirstFactorAsync(HttpContext, pending.UserId, pending.Amr, pending.RequestId, cancellationToken, pending.Federation));
        }

        if (decision.Enrolment != EnrolmentDemand.None && account.MfaEnrolmentDueSince is null)
        {
            // The grace in days counts from the first time enrolment was asked of the user.
            var now = time.GetUtcNow();
            await db.Users.Where(u => u.Id == account.Id && u.MfaEnrolmentDueSince == null)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.MfaEnrolmentDueSince, now), cancellationToken);
        }

        return null;
    }
}
