using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Federation.Accounts;

/// <summary>What a completed federated sign-in leaves with the session.</summary>
/// <param name="ProviderId">The session's <c>idp</c>: a later step-up decides with this provider's rule.</param>
/// <param name="UpstreamIdToken">For the upstream's end-session <c>id_token_hint</c>; null for a step-up that carried none over.</param>
public sealed record FederatedSessionFacts(string ProviderId, string? UpstreamIdToken);

/// <summary>
/// The last step of a federated sign-in, when every proof is done: its ticket is taken (single
/// use, by conditional DELETE) and, for a link, only now is the external login added.
/// </summary>
public sealed partial class FederatedSignInCompletion(
    FederatedSignInTickets tickets,
    UserManager<ApplicationUser> users,
    IAuditLog audit,
    ILogger<FederatedSignInCompletion> logger)
{
    /// <returns>What the session keeps, or null: the sign-in expired, was cancelled or already completed, and must not complete.</returns>
    public async Task<FederatedSessionFacts?> FinishAsync(string userId, FederatedSignIn federation, CancellationToken cancellationToken)
    {
        if (federation.TicketId is null)
        {
            // A step-up from a session signed in through the provider: nothing to take.
            return federation.ProviderId is { } providerId ? new FederatedSessionFacts(providerId, null) : null;
        }

        if (await tickets.TakeAsync(federation.TicketId, userId, cancellationToken) is not { } ticket)
        {
            LogReplayed(logger, userId);
            await audit.RecordAsync(new AuditRecord(AuditActions.FederationSignInRefused, userId, AuditOutcome.Failure, TargetType: "user",
                TargetId: userId, Details: $"provider: {federation.ProviderId}; the upstream sign-in expired, was cancelled or was already used"), cancellationToken);
            return null;
        }

        if (ticket.LinkAccount)
        {
            var user = await users.FindByIdAsync(userId);
            var added = user is null
                ? IdentityResult.Failed()
                : await users.AddLoginAsync(user, new UserLoginInfo(ticket.ProviderId, ticket.Subject, federation.Provider));
            if (!added.Succeeded)
            {
                // The upstream account was linked elsewhere meanwhile (the login key is unique).
                LogLinkFailed(logger, userId, ticket.ProviderId);
                await audit.RecordAsync(new AuditRecord(AuditActions.FederationSignInRefused, userId, AuditOutcome.Failure, TargetType: "user",
                    TargetId: userId, Details: $"provider: {ticket.ProviderId}; the upstream account is already linked to another account"), cancellationToken);
                return null;
            }

            await audit.RecordAsync(new AuditRecord(AuditActions.FederationAccountLinked, userId, TargetType: "user", TargetId: userId,
                Details: $"provider: {ticket.ProviderId}"), cancellationToken);
        }

        return new FederatedSessionFacts(ticket.ProviderId, ticket.IdToken);
    }

    [LoggerMessage(7452, LogLevel.Information, "Federated sign-in of {UserId} refused at completion: its ticket expired, was cancelled or was already used")]
    private static partial void LogReplayed(ILogger logger, string userId);

    [LoggerMessage(7453, LogLevel.Warning, "Linking {ProviderId} to {UserId} failed: the upstream account is already linked")]
    private static partial void LogLinkFailed(ILogger logger, string userId, string providerId);
}
