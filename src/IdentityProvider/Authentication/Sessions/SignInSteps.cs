using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Persistence.Entities;

namespace IdentityProvider.Authentication.Sessions;

/// <summary>
/// Where a sign-in goes after each factor: on to the second factor, on to an enrolment the
/// account owes, or to completion. Pages call this after verifying a factor and redirect to the
/// path it returns; none of them decides the order for itself.
/// </summary>
public sealed class SignInSteps(PartialSignIn partial, SignInCompletion completion, PasskeyRequests passkeyRequests, TimeProvider time)
{
    public const string SecondFactorPath = "/account/login/code";
    public const string PasskeyRequiredPath = "/account/passkey/required";

    /// <summary>The password was right.</summary>
    public async Task<string> AfterPasswordAsync(HttpContext http, ApplicationUser user, string? requestId, CancellationToken cancellationToken)
    {
        if (user.TwoFactorEnabled)
        {
            await partial.StartAsync(http, new PendingSignIn(user.Id, time.GetUtcNow(), requestId));
            return SecondFactorPath;
        }

        return await AfterFactorsAsync(http, user.Id, ["pwd"], requestId, cancellationToken);
    }

    /// <summary>Every factor the sign-in needs is proven (<paramref name="amr"/>, RFC 8176).</summary>
    public async Task<string> AfterFactorsAsync(HttpContext http, string userId, IReadOnlyList<string> amr, string? requestId, CancellationToken cancellationToken)
    {
        // An administrator asked for a new passkey: the sign-in waits until the user registers one.
        if (await passkeyRequests.FindAsync(userId, cancellationToken) is not null)
        {
            await partial.StartAsync(http, new PendingSignIn(userId, time.GetUtcNow(), requestId, amr));
            return PasskeyRequiredPath;
        }

        return await completion.CompleteAsync(http, userId, amr, requestId, cancellationToken);
    }
}
