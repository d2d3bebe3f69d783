using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.Passwords;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Federation;
using IdentityProvider.Federation.Accounts;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// The first step: a password (users with a second factor continue on the code page), or a
/// passkey, which alone signs the user in when it verified them on their device. Posts are
/// limited per client address (the <c>sign-in</c> policy), password posts also per login name.
/// </summary>
[EnableRateLimiting(RateLimitingSetup.SignInPolicy)]
public sealed class LoginModel(
    AuthorizationInteraction interaction,
    SignInRateLimiter rateLimiter,
    PasswordAuthenticator passwords,
    PasskeyAuthenticator passkeys,
    SignInAttemptGate gate,
    IAuthenticationSessions sessions,
    SignInSteps steps,
    IUpstreamProviderDirectory upstreams,
    FederationFacts federationFacts) : PageModel
{
    /// <summary>One text for every failure (seed 002): nothing tells which part was wrong, or whether the account exists.</summary>
    public const string GenericError = "Login failed. Please check your login details and try again. Otherwise contact your administrator.";

    public const string Path = "/account/login";

    /// <summary>Retry-After when every hashing slot was busy: a hash takes about 100 ms, so soon.</summary>
    public static readonly TimeSpan ThrottledRetryAfter = TimeSpan.FromSeconds(5);

    [BindProperty(SupportsGet = true, Name = "request")]
    public string? RequestId { get; set; }

    [BindProperty]
    public string Username { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    public string? ClientName { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Enabled upstream providers: "Sign in with …" below the password form.</summary>
    public IReadOnlyList<UpstreamProvider> Upstreams { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var context = await interaction.GetContextAsync(RequestId, cancellationToken);
        ClientName = context?.ClientDisplayName;
        Username = context?.LoginHint ?? "";

        // Step-up: a signed-in user whose session falls short of what this application demands
        // proves only the missing factor; the password is asked again only when the client wants
        // a fresh sign-in (prompt=login, max_age). A session that came through an upstream
        // decides with that provider's rule.
        if (context is { ReauthenticationRequested: false } && await sessions.GetCurrentAsync(HttpContext) is { } session)
        {
            var federation = await federationFacts.OfSessionAsync(session, cancellationToken);
            if (await steps.DecideAsync(HttpContext, session.Subject, session.Amr, RequestId, cancellationToken, federation) is { Satisfied: false } decision
                && (decision.Offer.Count > 0 || decision.Enrolment != Policy.EnrolmentDemand.None))
            {
                return new SeeOtherResult(await steps.AfterFirstFactorAsync(HttpContext, session.Subject, session.Amr, RequestId, cancellationToken, federation));
            }
        }

        Upstreams = await EnabledUpstreamsAsync(cancellationToken);
        if (context is not null && HomeRealm.Of(context, Upstreams) is { } home)
        {
            return new SeeOtherResult(HomeRealm.StartPath(home, context));
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        // Before anything is looked up or hashed: a refusal costs nothing and changes nothing.
        if (!string.IsNullOrWhiteSpace(Username) && Username.Length <= 256 && !rateLimiter.TryAcquireForAccount(Username, out var retryAfter))
        {
            return new TooManyAttemptsResult(retryAfter);
        }

        ClientName = (await interaction.GetContextAsync(RequestId, cancellationToken))?.ClientDisplayName;
        var check = string.IsNullOrWhiteSpace(Username) || string.IsNullOrEmpty(Password) || Username.Length > 256 || Password.Length > 1024
            ? new PasswordCheck(null)
            : await passwords.CheckAsync(Username, Password, cancellationToken);
        Password = "";
        if (check.Throttled)
        {
            return new TooManyAttemptsResult(ThrottledRetryAfter);
        }

        if (!check.Succeeded)
        {
            Error = GenericError;
            Upstreams = await EnabledUpstreamsAsync(cancellationToken);
            return Page();
        }

        return new SeeOtherResult(await steps.AfterFirstFactorAsync(HttpContext, check.User!.Id, ["pwd"], RequestId, cancellationToken));
    }

    /// <summary>A challenge for any passkey of this site (discoverable credentials: no username needed).</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync(CancellationToken cancellationToken) =>
        PasskeyResponses.Challenge(await passkeys.BeginAssertionAsync(PasskeyCeremonyPurposes.SignIn, null, HttpContext, cancellationToken));

    public async Task<IActionResult> OnPostPasskeyAsync(string? ceremony, string? credential, CancellationToken cancellationToken)
    {
        ClientName = (await interaction.GetContextAsync(RequestId, cancellationToken))?.ClientDisplayName;
        var outcome = await passkeys.CompleteAssertionAsync(PasskeyCeremonyPurposes.SignIn, ceremony, credential, null, HttpContext, cancellationToken);
        if (!outcome.Succeeded)
        {
            Error = outcome.Error;
            Upstreams = await EnabledUpstreamsAsync(cancellationToken);
            return Page();
        }

        // A complete sign-in by the account's owner: failures an attacker ran up stop counting toward the hard lock.
        await gate.RecordSuccessAsync(outcome.UserId!, SignInFactor.SecondFactor, signInComplete: true, cancellationToken);
        var amr = PasskeyAmr.Of(outcome.BackupEligible, outcome.UserVerified);
        if (!outcome.UserVerified && await steps.DecideAsync(HttpContext, outcome.UserId!, amr, RequestId, cancellationToken) is not { Satisfied: true })
        {
            Error = (await passkeys.RefuseUnverifiedAsync(outcome.UserId!, cancellationToken)).Error;
            Upstreams = await EnabledUpstreamsAsync(cancellationToken);
            return Page();
        }

        return new SeeOtherResult(await steps.AfterFirstFactorAsync(HttpContext, outcome.UserId!, amr, RequestId, cancellationToken));
    }

    private async Task<IReadOnlyList<UpstreamProvider>> EnabledUpstreamsAsync(CancellationToken cancellationToken) =>
        [.. (await upstreams.ListAsync(cancellationToken)).Where(p => p.Enabled)];
}
