using IdentityProvider.Protocol.Interaction;

namespace IdentityProvider.Policy;

/// <summary>
/// The authorization endpoint's question for an existing session: does what it proved meet what
/// this client and request demand (the client's required acr, the request's <c>acr_values</c>)?
/// The users' own policy is applied when they sign in, not here, so a session that met it (or was
/// let through by a remembered browser or a trusted upstream provider) is not sent round again.
/// </summary>
public sealed class ApplicationRequirementEvaluator : IAuthenticationRequirementEvaluator
{
    public ValueTask<RequirementOutcome> EvaluateAsync(AuthenticationRequirementContext context, CancellationToken cancellationToken)
    {
        var reached = AssuranceLevels.FromAmr(context.Session.Amr);
        var demanded = context.Client.RequiredAcr is { } clientAcr ? AssuranceLevels.FromAcr(clientAcr) ?? AssuranceLevel.Single : AssuranceLevel.Single;
        var requested = context.RequestedAcrValues.Select(AssuranceLevels.FromAcr).OfType<AssuranceLevel>().ToList();
        if (requested.Count > 0)
        {
            // OIDC Core §3.1.2.1: acr_values are alternatives; meeting the least of them is enough.
            var least = requested.Min();
            demanded = demanded >= least ? demanded : least;
        }

        if (reached < demanded)
        {
            return ValueTask.FromResult(RequirementOutcome.NotMet($"the session reached {reached}, the client needs {demanded}"));
        }

        // The ID token's acr names the level that was asked for and met; without a demand, the level reached.
        var stated = requested.Count > 0 && demanded == requested.Min() ? AssuranceLevels.ToAcr(demanded) : AssuranceLevels.ToAcr(reached);
        return ValueTask.FromResult(RequirementOutcome.Met(stated ?? context.Session.Acr));
    }
}
