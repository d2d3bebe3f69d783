using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Protocol.Interaction;

public enum InteractionStep
{
    /// <summary>Nothing is missing: issue the code.</summary>
    None,
    Login,
    Consent,

    /// <summary>Answer the client with <see cref="InteractionDecision.Error"/>.</summary>
    Error,
}

/// <summary>What an authorization request needs next, and why (the reason goes to the log).</summary>
public sealed record InteractionDecision(InteractionStep Step, string Reason, AuthenticatedSession? Session = null, string? Acr = null, ProtocolError? Error = null)
{
    public static InteractionDecision Issue(AuthenticatedSession session, string? acr) => new(InteractionStep.None, "satisfied", session, acr);

    public static InteractionDecision Fail(ProtocolError error, string reason) => new(InteractionStep.Error, reason, Error: error);
}
