namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// A message waiting in, or done with, the outbox. Written before any SMTP conversation, so a
/// message queued while the mail server is down is sent when it returns.
/// </summary>
public sealed class EmailOutboxMessage
{
    public Guid Id { get; set; }

    public required string To { get; set; }

    public required string Subject { get; set; }

    /// <summary>May hold single-use links and codes: stored because it must be sent, emptied once sent, never logged.</summary>
    public required string TextBody { get; set; }

    public string? HtmlBody { get; set; }

    public EmailOutboxStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Not before this time will a dispatcher try (again).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    /// <summary>The last SMTP failure, truncated; for operators reading the table.</summary>
    public string? LastError { get; set; }

    /// <summary>The claim (one per drain of one dispatcher) that holds the message while it is sent.</summary>
    public string? ClaimedBy { get; set; }

    /// <summary>When the claim lapses and another dispatcher may take the message over.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    public DateTimeOffset? SentAt { get; set; }
}

public enum EmailOutboxStatus
{
    Pending,
    Sent,
    Failed,
}
