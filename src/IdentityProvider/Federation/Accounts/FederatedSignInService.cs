using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Federation.Accounts;

/// <summary>
/// The local half of a federated sign-in, once the upstream's ID token has passed every check.
/// In order:
/// <list type="number">
/// <item>the provider must exist and be enabled;</item>
/// <item>an account linked to (provider, upstream sub) signs in, unless disabled or locked;</item>
/// <item>a local user with the upstream's email is linked only through the link page, and only
/// when the provider allows linking by email and the upstream verified the address; never silently;</item>
/// <item>otherwise the user is provisioned, if the provider allows it;</item>
/// <item>the provider's MFA rule is applied by the policy, through the usual sign-in steps.</item>
/// </list>
/// </summary>
public sealed partial class FederatedSignInService(
    IUpstreamProviderDirectory directory,
    UserManager<ApplicationUser> users,
    FederatedUserProvisioner provisioner,
    FederatedSignInTickets tickets,
    SignInAttemptGate gate,
    SignInSteps steps,
    PartialSignIn partial,
    IAuditLog audit,
    TimeProvider time,
    ILogger<FederatedSignInService> logger) : IFederatedSignIn
{
    public async Task<string> ContinueAsync(HttpContext http, UpstreamIdentity identity, string? requestId, CancellationToken cancellationToken)
    {
        if (await directory.FindAsync(identity.ProviderId, cancellationToken) is not { Enabled: true } provider)
        {
            return await RefuseAsync(identity, null, FederationRefusal.Failed, "provider unknown or disabled", requestId, cancellationToken);
        }

        var facts = FederationFacts.Of(provider, identity);
        var amr = FederatedAmr.Of(provider, identity);
        var user = await users.FindByLoginAsync(provider.Id, identity.Subject);
        if (user is null)
        {
            var holder = string.IsNullOrWhiteSpace(identity.Email) ? null : await users.FindByEmailAsync(identity.Email);
            if (holder is not null)
            {
                if (!provider.LinkByEmail || !identity.EmailVerified)
                {
                    var why = provider.LinkByEmail ? "email matches a local user, but the upstream did not verify it" : "email matches a local user; linking by email is off";
                    return await RefuseAsync(identity, holder.Id, FederationRefusal.NotConnected, why, requestId, cancellationToken);
                }

                // The user proves the local account's own factors on the link page before anything is linked.
                var link = await tickets.CreateAsync(identity, holder.Id, linkAccount: true, cancellationToken);
                await partial.StartAsync(http, new PendingSignIn(holder.Id, time.GetUtcNow(), requestId, amr, PendingStage.LinkAccount)
                {
                    Federation = facts with { TicketId = link },
                });
                return SignInSteps.LinkAccountPath;
            }

            if (!provider.ProvisionUsers)
            {
                return await RefuseAsync(identity, null, FederationRefusal.NotConnected, "no local user; provisioning is off", requestId, cancellationToken);
            }

            user = await provisioner.ProvisionAsync(provider, identity, cancellationToken);
            if (user is null)
            {
                return await RefuseAsync(identity, null, FederationRefusal.NotConnected, "provisioning failed", requestId, cancellationToken);
            }
        }
        else if (user.DisabledAt is not null || await gate.IsLockedAsync(user.Id, cancellationToken))
        {
            return await RefuseAsync(identity, user.Id, FederationRefusal.Failed, user.DisabledAt is not null ? "disabled" : "locked out", requestId, cancellationToken);
        }

        var ticket = await tickets.CreateAsync(identity, user.Id, linkAccount: false, cancellationToken);
        return await steps.AfterFirstFactorAsync(http, user.Id, amr, requestId, cancellationToken, facts with { TicketId = ticket });
    }

    private async Task<string> RefuseAsync(
        UpstreamIdentity identity, string? userId, FederationRefusal refusal, string reason, string? requestId, CancellationToken cancellationToken)
    {
        LogRefused(logger, identity.ProviderId, userId ?? "-", reason);
        await audit.RecordAsync(new AuditRecord(AuditActions.FederationSignInRefused, userId ?? AuditActors.Anonymous, AuditOutcome.Failure,
            TargetType: userId is null ? null : "user", TargetId: userId, Details: $"provider: {identity.ProviderId}; {reason}"), cancellationToken);
        return FederationRefusals.PathFor(refusal, requestId);
    }

    [LoggerMessage(7451, LogLevel.Information, "Sign-in through upstream provider {ProviderId} refused for {UserId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string providerId, string userId, string reason);
}
