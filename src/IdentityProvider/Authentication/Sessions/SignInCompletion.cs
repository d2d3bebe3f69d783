using IdentityProvider.Federation;
using IdentityProvider.Federation.Accounts;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;

namespace IdentityProvider.Authentication.Sessions;

/// <summary>
/// The last step of every sign-in: the session is started for what the user proved (a new session
/// id, so the cookie is renewed), the sign-in is audited, and the browser is told where to go.
/// </summary>
public sealed class SignInCompletion(
    AuthorizationInteraction interaction,
    IAuthenticationSessions sessions,
    PartialSignIn partial,
    FederatedSignInCompletion federated,
    IAuditLog audit,
    TimeProvider time)
{
    public const string AccountHome = "/account";

    /// <param name="amr">RFC 8176 values, e.g. <c>pwd</c>, or <c>pwd otp mfa</c>.</param>
    /// <param name="federation">Set when the sign-in came through an upstream provider (or steps up a session that did).</param>
    /// <returns>Where the browser goes next: back into the authorization request, the user's account, or the federation refusal page.</returns>
    public async Task<string> CompleteAsync(HttpContext http, string userId, IReadOnlyList<string> amr, string? requestId, CancellationToken cancellationToken,
        FederatedSignIn? federation = null)
    {
        await partial.EndAsync(http);
        FederatedSessionFacts? upstream = null;
        if (federation is not null && (upstream = await federated.FinishAsync(userId, federation, cancellationToken)) is null)
        {
            return FederationRefusals.PathFor(FederationRefusal.Expired, requestId);
        }

        var result = new AuthenticationResult(userId, time.GetUtcNow(), amr, AuthenticationContextClasses.Of(amr))
        {
            IdentityProvider = upstream?.ProviderId,
            UpstreamIdToken = upstream?.UpstreamIdToken,
        };
        await audit.RecordAsync(new AuditRecord(AuditActions.SignInSucceeded, userId, TargetType: "user", TargetId: userId,
            Details: "amr: " + string.Join(' ', amr)), cancellationToken);
        if (requestId is not null && await interaction.CompleteLoginAsync(http, requestId, result) is { } resume)
        {
            return resume;
        }

        // No authorization request, or it expired while the user signed in: a session all the same.
        await sessions.SignInAsync(http, result);
        return AccountHome;
    }
}
