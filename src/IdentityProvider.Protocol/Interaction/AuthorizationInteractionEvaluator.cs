using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Protocol.Validation;

namespace IdentityProvider.Protocol.Interaction;

/// <summary>
/// Decides, for a valid authorization request and the browser's session, whether the user must
/// sign in, consent, or nothing more. An ordered list of reasons, each returning early: with
/// prompt=none each need becomes the matching error instead (OIDC Core §3.1.2.6).
/// </summary>
public sealed class AuthorizationInteractionEvaluator(
    IUserClaimsStore users,
    IConsentStore consents,
    IAuthenticationRequirementEvaluator requirements,
    TimeProvider time)
{
    /// <param name="pending">The kept request when the user comes back from the pages; null on first arrival.</param>
    public async Task<InteractionDecision> DecideAsync(
        ValidatedAuthorizationRequest request, AuthenticatedSession? session, PendingAuthorization? pending, CancellationToken cancellationToken)
    {
        if (pending?.Consent == false)
        {
            return InteractionDecision.Fail(ProtocolErrors.AccessDenied("The user denied the request."), "consent denied");
        }

        if (session is null)
        {
            return Login(request, ProtocolErrors.LoginRequired(), "no session");
        }

        // The user signed in for this very request: prompt=login and max_age are satisfied by
        // that sign-in, however the clock stands, so the user is never sent round in a loop.
        var signedInForThisRequest = pending?.AuthenticatedSessionId == session.SessionId;

        // OIDC Core §3.1.2.1 prompt=login: re-authenticate even with a session.
        if (request.PromptLogin && !signedInForThisRequest)
        {
            return Login(request, ProtocolErrors.LoginRequired(), "prompt=login");
        }

        // OIDC Core §3.1.2.1 max_age: the session's sign-in is too old.
        if (request.MaxAge is { } maxAge && time.GetUtcNow() - session.AuthTime > maxAge && !signedInForThisRequest)
        {
            return Login(request, ProtocolErrors.LoginRequired(), "max_age exceeded");
        }

        // A user disabled or deleted since signing in has no session worth honouring.
        if (await users.FindActiveAsync(session.Subject, cancellationToken) is null)
        {
            return Login(request, ProtocolErrors.LoginRequired(), "user no longer active");
        }

        // The factors the session proved must satisfy the request: otherwise step up.
        var requirement = await requirements.EvaluateAsync(
            new AuthenticationRequirementContext(request.Client, session, request.AcrValues), cancellationToken);
        if (!requirement.Satisfied)
        {
            // The user just signed in for this request and still fell short (no such factor
            // enrolled): asking again would loop, so the client hears why instead.
            return signedInForThisRequest
                ? InteractionDecision.Fail(ProtocolErrors.UnmetAuthenticationRequirements(), "step-up not met by the sign-in made for it: " + requirement.Reason)
                : Login(request, ProtocolErrors.InteractionRequired(), "step-up: " + requirement.Reason);
        }

        if (request.Client.RequireConsent && pending?.Consent != true)
        {
            if (request.PromptConsent)
            {
                return Consent(request, "prompt=consent");
            }

            var granted = await consents.GetGrantedScopesAsync(session.Subject, request.Client.ClientId, cancellationToken);
            if (!request.Scopes.All(granted.Contains))
            {
                return Consent(request, "scopes not yet consented");
            }
        }

        return InteractionDecision.Issue(session, requirement.Acr);
    }

    private static InteractionDecision Login(ValidatedAuthorizationRequest request, ProtocolError whenNoPrompt, string reason) =>
        request.PromptNone ? InteractionDecision.Fail(whenNoPrompt, reason) : new InteractionDecision(InteractionStep.Login, reason);

    private static InteractionDecision Consent(ValidatedAuthorizationRequest request, string reason) =>
        request.PromptNone ? InteractionDecision.Fail(ProtocolErrors.ConsentRequired(), reason) : new InteractionDecision(InteractionStep.Consent, reason);
}
