using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Protocol.Interaction;

/// <summary>
/// Decides whether a session's proven factors satisfy an authorization request, and which
/// <c>acr</c> the tokens state. The protocol never mints tokens for a session this refuses. The
/// MFA policy replaces the default, which only holds a session to the <c>acr_values</c> asked for.
/// </summary>
public interface IAuthenticationRequirementEvaluator
{
    ValueTask<RequirementOutcome> EvaluateAsync(AuthenticationRequirementContext context, CancellationToken cancellationToken);
}

public sealed record AuthenticationRequirementContext(
    ClientDefinition Client,
    AuthenticatedSession Session,
    IReadOnlyList<string> RequestedAcrValues);

/// <param name="Acr">The level the tokens will state when satisfied.</param>
/// <param name="Reason">Why not, for the log and the sign-in pages.</param>
public sealed record RequirementOutcome(bool Satisfied, string? Acr, string? Reason = null)
{
    public static RequirementOutcome Met(string? acr) => new(true, acr);

    public static RequirementOutcome NotMet(string reason) => new(false, null, reason);
}

/// <summary>
/// What the session proved is what the tokens say: a request naming acr values is satisfied only
/// by a session that met one of them (OIDC Core §3.1.2.1 leaves acr_values voluntary; this
/// product treats them as a step-up demand).
/// </summary>
public sealed class SessionAcrRequirementEvaluator : IAuthenticationRequirementEvaluator
{
    public ValueTask<RequirementOutcome> EvaluateAsync(AuthenticationRequirementContext context, CancellationToken cancellationToken)
    {
        var session = context.Session;
        if (context.RequestedAcrValues.Count == 0 || (session.Acr is not null && context.RequestedAcrValues.Contains(session.Acr)))
        {
            return ValueTask.FromResult(RequirementOutcome.Met(session.Acr));
        }

        return ValueTask.FromResult(RequirementOutcome.NotMet("the session has not met a requested acr value"));
    }
}
