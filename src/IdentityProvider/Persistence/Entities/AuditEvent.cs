namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// One security-relevant fact, appended and never changed. Rows are written only through
/// <see cref="Infrastructure.Auditing.IAuditLog"/>; the context refuses updates and deletes.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Who acted: a user id, or a system actor such as <c>system</c> or <c>cli</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>Dotted verb naming what happened, e.g. <c>bootstrap.admin_created</c>.</summary>
    public required string Action { get; set; }

    public string? TargetType { get; set; }

    public string? TargetId { get; set; }

    public AuditOutcome Outcome { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }

    /// <summary>Free text for the reader of the log; never a secret.</summary>
    public string? Details { get; set; }
}

public enum AuditOutcome
{
    Success = 0,
    Failure = 1,
}
