using System.Net.Mail;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;

namespace IdentityProvider.Infrastructure.Email;

internal sealed partial class OutboxEmailSender(
    IdentityProviderDbContext db,
    TimeProvider time,
    ILogger<OutboxEmailSender> logger) : IEmailSender
{
    public async Task QueueAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        // Checked here rather than at send time: a bad address is the caller's bug, and it would
        // otherwise sit in the outbox through every retry.
        if (!MailAddress.TryCreate(message.To, out var recipient))
        {
            throw new ArgumentException("The recipient is not an email address.", nameof(message));
        }

        // A line break in a header would let text chosen by a user add headers of its own.
        if (message.Subject.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("The subject must be a single line.", nameof(message));
        }

        var now = time.GetUtcNow();
        var row = new EmailOutboxMessage
        {
            // Version 7: time-ordered, so ids also sort roughly in queue order.
            Id = Guid.CreateVersion7(now),
            To = recipient.Address,
            Subject = message.Subject,
            TextBody = message.TextBody,
            HtmlBody = message.HtmlBody,
            Status = EmailOutboxStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.EmailOutbox.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        LogQueued(logger, row.Id, recipient.Host);
    }

    [LoggerMessage(6300, LogLevel.Information, "Queued email {MessageId} to a recipient at {RecipientDomain}")]
    private static partial void LogQueued(ILogger logger, Guid messageId, string recipientDomain);
}
