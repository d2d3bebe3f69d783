using IdentityProvider.Persistence.Entities;

namespace IdentityProvider.Infrastructure.Auditing;

/// <summary>The one way security events are recorded. Nothing else writes audit rows.</summary>
public interface IAuditLog
{
    Task RecordAsync(AuditRecord record, CancellationToken cancellationToken);
}

/// <summary>What happened, said by the caller. Time, IP address and user agent are filled in by the log.</summary>
public sealed record AuditRecord(
    string Action,
    string Actor,
    AuditOutcome Outcome = AuditOutcome.Success,
    string? TargetType = null,
    string? TargetId = null,
    string? Details = null);
