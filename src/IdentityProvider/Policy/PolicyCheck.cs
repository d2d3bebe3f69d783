using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Policy;

/// <param name="Decision">Null when the user is unknown.</param>
/// <param name="ClientFound">False when a client id was given and is not registered.</param>
public sealed record PolicyCheckResult(MfaDecision? Decision, bool ClientFound);

/// <summary>
/// The administrators' "policy check": what the policy decides for a user signing in with a
/// password to a given client (optionally with <c>acr_values</c>), with its ordered reasons, so
/// "why was I (not) asked for a code?" has an answer.
/// </summary>
public sealed class PolicyCheck(MfaPolicyInputs inputs, MfaSettingsStore settings, IClientStore clients, MfaPolicyEvaluator evaluator, TimeProvider time)
{
    public async Task<PolicyCheckResult> EvaluateAsync(string userId, string? clientId, IReadOnlyList<string> acrValues, CancellationToken cancellationToken)
    {
        var client = string.IsNullOrEmpty(clientId) ? null : await clients.FindByIdAsync(clientId, cancellationToken);
        if (!string.IsNullOrEmpty(clientId) && client is null)
        {
            return new PolicyCheckResult(null, ClientFound: false);
        }

        if (await inputs.UserAsync(userId, cancellationToken) is not { } user)
        {
            return new PolicyCheckResult(null, ClientFound: true);
        }

        var input = new MfaPolicyInput(
            await settings.GetAsync(cancellationToken),
            user,
            new SignInFacts(["pwd"], time.GetUtcNow()),
            client is null ? null : new ClientFacts(client.ClientId, client.DisplayName, client.RequiredAcr),
            acrValues.Count == 0 ? null : new RequestFacts(acrValues, ForcesReauthentication: false));
        return new PolicyCheckResult(evaluator.Evaluate(input), ClientFound: true);
    }
}
