using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;

namespace IdentityProvider.Federation.Upstream;

/// <summary>Every refused federated sign-in: one audit row (<c>federation.sign_in_failed</c>) and one log line, both without secrets.</summary>
public sealed partial class FederationFailureRecorder(IAuditLog audit, ILogger<FederationFailureRecorder> logger)
{
    public async Task<FederationOutcome> RecordAsync(string providerId, FederationFailure failure, CancellationToken cancellationToken)
    {
        LogRefused(logger, providerId, failure.Reason);
        await audit.RecordAsync(new AuditRecord(AuditActions.FederationSignInFailed, AuditActors.Anonymous, AuditOutcome.Failure,
            TargetType: "upstream_provider", TargetId: Truncate(providerId), Details: failure.Reason), cancellationToken);
        return FederationOutcome.Fail(failure);
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40];

    [LoggerMessage(8400, LogLevel.Warning, "Federated sign-in through {Provider} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string provider, string reason);
}
