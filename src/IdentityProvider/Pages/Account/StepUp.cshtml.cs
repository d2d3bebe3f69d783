using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Federation;
using IdentityProvider.Federation.Accounts;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// A signed-in user adds their second factor to the session without an application asking (the
/// administration console needs it): the session's factors stand as the first step, and the code
/// page (or, for an administrator with none yet, the setup page) asks for the rest.
/// </summary>
[EnableRateLimiting(RateLimitingSetup.SignInPolicy)]
public sealed class StepUpModel(IAuthenticationSessions sessions, PartialSignIn partial, SignInSteps steps, FederationFacts federationFacts, TimeProvider time) : PageModel
{
    public const string Path = "/account/step-up";

    public IActionResult OnGet() => new SeeOtherResult(SignInCompletion.AccountHome);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await sessions.GetCurrentAsync(HttpContext) is not { } session)
        {
            return new SeeOtherResult(LoginModel.Path);
        }

        // A session that came through an upstream provider decides with that provider's rule.
        var federation = await federationFacts.OfSessionAsync(session, cancellationToken);
        var decision = await steps.DecideAsync(HttpContext, session.Subject, session.Amr, requestId: null, cancellationToken, federation);
        var stage = decision switch
        {
            { Satisfied: false, Offer.Count: > 0 } => PendingStage.SecondFactor,
            { Satisfied: false, Enrolment: not EnrolmentDemand.None } => PendingStage.Enrolment,
            _ => (PendingStage?)null,
        };
        if (stage is null)
        {
            // Nothing the session lacks that the user could add now.
            return new SeeOtherResult(SignInCompletion.AccountHome);
        }

        await partial.StartAsync(HttpContext, new PendingSignIn(session.Subject, time.GetUtcNow(), null, session.Amr, stage.Value) { Federation = federation });
        return new SeeOtherResult(SignInSteps.PathOf(stage.Value));
    }
}
