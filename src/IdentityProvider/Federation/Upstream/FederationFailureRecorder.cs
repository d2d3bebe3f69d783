using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;

namespace IdentityProvider.Federation.Upstream;

/// <summary>Every refused federated sign-in: one audit row (<c>federation.sign_in_failed</c>) and one log line, both without secrets.</summary>
public sealed partial class FederationFailureRecorder(IAuditLog audit, ILogger<FederationFailureRecorder> logger)
{
    public async Task<FederationOutcome> RecordAsync(string providerId, FederationFailure failure, CancellationToken cancellationToken)
    {
        LogRefused(logger, Truncate(providerId, 40), Truncate(failure.Reason, MaxReasonLength));
        await audit.RecordAsync(new AuditRecord(AuditActions.FederationSignInFailed, AuditActors.Anonymous, AuditOutcome.Failure,
            TargetType: "upstream_provider", TargetId: Truncate(providerId, 40), Details: Truncate(failure.Reason, MaxReasonLength)), cancellationToken);
        return FederationOutcome.Fail(failure);
    }

    // A reason may quote what an upstream sent (a discovery document's issuer); it never needs to be long.
    private const int MaxReasonLength = 500;

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    [LoggerMessage(8400, LogLevel.Warning, "Federated sign-in through {Provider} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string provider, string reason);
}
