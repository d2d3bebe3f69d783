using IdentityProvider.Authentication.EmailCodes;
using IdentityProvider.Authentication.Passwords;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Federation;
using IdentityProvider.Federation.Accounts;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// Linking an upstream account to the existing local account with the same (upstream-verified)
/// email: the user proves the local account's password here (through the attempt gate, so wrong
/// passwords count toward lockout), then its own second factor on the code page if it has one,
/// whatever the provider's MFA rule or a remembered browser. Nothing is linked until every proof
/// succeeded (<see cref="FederatedSignInCompletion"/>); the user may cancel instead.
/// </summary>
[EnableRateLimiting(RateLimitingSetup.SignInPolicy)]
public sealed class FederationLinkModel(
    PartialSignIn partial,
    FederatedSignInTickets tickets,
    PasswordAuthenticator passwords,
    MfaPolicyInputs inputs,
    SignInSteps steps,
    UserManager<ApplicationUser> users,
    IAuditLog audit) : PageModel
{
    public const string Path = SignInSteps.LinkAccountPath;

    [BindProperty]
    public string Password { get; set; } = "";

    public string ProviderName { get; private set; } = "";

    public string UpstreamAccount { get; private set; } = "";

    public string LocalAccount { get; private set; } = "";

    public string? Error { get; private set; }

    private PendingSignIn Pending { get; set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        var password = Password;
        Password = "";
        var check = string.IsNullOrEmpty(password) || password.Length > 1024
            ? new PasswordCheck(null)
            : await passwords.CheckUserAsync(Pending.UserId, password, cancellationToken);
        if (check.Throttled)
        {
            return new TooManyAttemptsResult(LoginModel.ThrottledRetryAfter);
        }

        if (!check.Succeeded)
        {
            Error = LoginModel.GenericError;
            return Page();
        }

        var federation = Pending.Federation!;
        var user = await inputs.UserAsync(Pending.UserId, cancellationToken);
        if (user is { HasAuthenticator: true } or { RecoveryCodes: > 0 })
        {
            // The account's own second factor, on the code page. Until it is proven the sign-in
            // states no mfa, whatever the upstream said, so the policy cannot count it as done.
            var amr = Pending.Amr.Where(v => v != "mfa").Append("pwd").Distinct(StringComparer.Ordinal).ToList();
            await partial.StartAsync(HttpContext, Pending with { Amr = amr, Stage = PendingStage.SecondFactor, Federation = federation with { Linking = true } });
            return new SeeOtherResult(SignInSteps.SecondFactorPath);
        }

        // No second factor to prove: the provider's own rule decides what comes next.
        var proven = Pending.Amr.Append("pwd").Distinct(StringComparer.Ordinal).ToList();
        return new SeeOtherResult(await steps.AfterFirstFactorAsync(HttpContext, Pending.UserId, proven, Pending.RequestId, cancellationToken, federation));
    }

    public async Task<IActionResult> OnPostCancelAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } redirect)
        {
            return redirect;
        }

        await tickets.DiscardAsync(Pending.Federation!.TicketId!, cancellationToken);
        await partial.EndAsync(HttpContext);
        await audit.RecordAsync(new AuditRecord(AuditActions.FederationLinkCancelled, Pending.UserId, TargetType: "user", TargetId: Pending.UserId,
            Details: "provider: " + Pending.Federation.ProviderId), cancellationToken);
        return new SeeOtherResult(Pending.RequestId is null ? LoginModel.Path : LoginModel.Path + "?request=" + Uri.EscapeDataString(Pending.RequestId));
    }

    /// <returns>Where to go instead: no link waiting (or it expired), or the sign-in waits at another step.</returns>
    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        Response.Headers.CacheControl = "no-store";
        if (await partial.GetAsync(HttpContext) is not { } pending)
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        if (pending.Stage != PendingStage.LinkAccount)
        {
            return new SeeOtherResult(SignInSteps.PathOf(pending.Stage));
        }

        if (pending.Federation is not { TicketId: { } ticketId } federation
            || await tickets.FindAsync(ticketId, pending.UserId, cancellationToken) is not { LinkAccount: true } ticket
            || await users.FindByIdAsync(pending.UserId) is not { } local)
        {
            await partial.EndAsync(HttpContext);
            return new SeeOtherResult(FederationRefusals.PathFor(FederationRefusal.Expired, pending.RequestId));
        }

        Pending = pending;
        ProviderName = federation.Provider;
        UpstreamAccount = ticket.UpstreamEmail ?? ticket.Subject;
        LocalAccount = local.Email is { } email ? EmailAddressMask.Mask(email) : "";
        return null;
    }
}
