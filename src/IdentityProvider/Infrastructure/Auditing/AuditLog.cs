using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;

namespace IdentityProvider.Infrastructure.Auditing;

/// <summary>
/// Appends to the AuditEvents table through the request's own context, so an event written
/// inside a transaction commits or rolls back with the change it describes.
/// </summary>
internal sealed class AuditLog(IdentityProviderDbContext db, TimeProvider time, IHttpContextAccessor httpContextAccessor) : IAuditLog
{
    private const int MaxUserAgentLength = 512;

    public async Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        var http = httpContextAccessor.HttpContext;
        var userAgent = http?.Request.Headers.UserAgent.ToString();
        db.AuditEvents.Add(new AuditEvent
        {
            OccurredAt = time.GetUtcNow(),
            Actor = record.Actor,
            Action = record.Action,
            Outcome = record.Outcome,
            TargetType = record.TargetType,
            TargetId = record.TargetId,
            Details = record.Details,
            IpAddress = http?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = string.IsNullOrEmpty(userAgent) ? null : userAgent[..Math.Min(userAgent.Length, MaxUserAgentLength)],
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}
