namespace IdentityProvider.Infrastructure.Email;

public interface IEmailSender
{
    /// <summary>
    /// Writes the message to the outbox; <see cref="OutboxEmailDispatcher"/> sends it later. It
    /// returns once the row is stored, whether or not the SMTP server is reachable. It saves through
    /// the scope's database context, so inside a caller's transaction the message commits (or rolls
    /// back) with the caller's own changes.
    /// </summary>
    Task QueueAsync(EmailMessage message, CancellationToken cancellationToken);
}
