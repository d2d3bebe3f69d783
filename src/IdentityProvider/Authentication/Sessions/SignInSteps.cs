using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;

namespace IdentityProvider.Authentication.Sessions;

/// <summary>
/// Where a sign-in goes after each step: on to a second factor, on to an enrolment the policy or
/// an administrator demands, or to completion. Pages verify a factor, call this, and redirect to
/// the path it returns; which step comes next is decided here, by the MFA policy evaluator.
/// </summary>
public sealed class SignInSteps(
    PartialSignIn partial,
    SignInCompletion completion,
    PasskeyRequests passkeyRequests,
    MfaPolicyInputs inputs,
    MfaPolicyEvaluator evaluator,
    MfaSettingsStore settings,
    AuthorizationInteraction interaction,
    IBrowserMemory browsers,
    TimeProvider time)
{
    public const string SecondFactorPath = "/account/login/code";
    public const string EnrolmentPath = "/account/mfa/setup";
    public const string PasskeyRequiredPath = "/account/passkey/required";
    public const string LinkAccountPath = "/account/federation/link";

    /// <summary>What the policy says of this sign-in, with <paramref name="amr"/> proven so far.</summary>
    /// <returns>Null for an unknown user.</returns>
    /// <param name="federation">What an upstream provider said, when the sign-in (or the session stepping up) came through one.</param>
    public async Task<MfaDecision?> DecideAsync(HttpContext http, string userId, IReadOnlyList<string> amr, string? requestId, CancellationToken cancellationToken,
        FederatedSignIn? federation = null)
    {
        var request = await interaction.GetContextAsync(requestId, cancellationToken);
        var remembered = await browsers.IsRememberedAsync(http, userId, cancellationToken);
        var input = await inputs.ForSignInAsync(userId, amr, request, remembered, federation, cancellationToken);
        return input is null ? null : evaluator.Evaluate(input);
    }

    /// <summary>
    /// A first factor (a password, a passkey) is proven, or, for a step-up, the session's factors
    /// stand as the first step (<paramref name="amr"/> is then the session's).
    /// </summary>
    public async Task<string> AfterFirstFactorAsync(HttpContext http, string userId, IReadOnlyList<string> amr, string? requestId, CancellationToken cancellationToken,
        FederatedSignIn? federation = null)
    {
        var decision = await DecideAsync(http, userId, amr, requestId, cancellationToken, federation);
        if (decision is { Satisfied: false, Offer.Count: > 0 })
        {
            await partial.StartAsync(http, new PendingSignIn(userId, time.GetUtcNow(), requestId, amr, PendingStage.SecondFactor) { Federation = federation });
            return SecondFactorPath;
        }

        if (decision is { Satisfied: false, Enrolment: not EnrolmentDemand.None })
        {
            await partial.StartAsync(http, new PendingSignIn(userId, time.GetUtcNow(), requestId, amr, PendingStage.Enrolment) { Federation = federation });
            return EnrolmentPath;
        }

        // Satisfied, or short of an application's demand nothing can meet (MFA turned off): the
        // session states what was proven and the authorization endpoint answers the client.
        return await AfterFactorsAsync(http, userId, amr, requestId, cancellationToken, federation);
    }

    /// <summary>Every factor the sign-in needs is proven (<paramref name="amr"/>, RFC 8176).</summary>
    public async Task<string> AfterFactorsAsync(HttpContext http, string userId, IReadOnlyList<string> amr, string? requestId, CancellationToken cancellationToken,
        FederatedSignIn? federation = null)
    {
        // An administrator asked for a new passkey: the sign-in waits until the user registers one.
        if (await passkeyRequests.FindAsync(userId, cancellationToken) is not null && (await settings.GetAsync(cancellationToken)).MfaEnabled)
        {
            await partial.StartAsync(http, new PendingSignIn(userId, time.GetUtcNow(), requestId, amr, PendingStage.PasskeyRegistration) { Federation = federation });
            return PasskeyRequiredPath;
        }

        return await completion.CompleteAsync(http, userId, amr, requestId, cancellationToken, federation);
    }

    /// <summary>The path where a sign-in waiting at <paramref name="stage"/> continues.</summary>
    public static string PathOf(PendingStage stage) => stage switch
    {
        PendingStage.SecondFactor => SecondFactorPath,
        PendingStage.Enrolment => EnrolmentPath,
        PendingStage.LinkAccount => LinkAccountPath,
        _ => PasskeyRequiredPath,
    };

    /// <summary>
    /// The factors of two steps together: everything either proved, and <c>mfa</c> (RFC 8176 §2),
    /// since a second step always adds a factor of another kind.
    /// </summary>
    public static IReadOnlyList<string> Combine(IReadOnlyList<string> first, IReadOnlyList<string> second) =>
        [.. first.Concat(second).Where(v => v != "mfa").Distinct(StringComparer.Ordinal), "mfa"];
}

/// <summary>"Don't ask again on this browser": whether this browser carries a valid mark for the user.</summary>
public interface IBrowserMemory
{
    Task<bool> IsRememberedAsync(HttpContext http, string userId, CancellationToken cancellationToken);
}
