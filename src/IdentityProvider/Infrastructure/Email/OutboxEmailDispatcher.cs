using System.Linq.Expressions;
using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Infrastructure.Email;

/// <summary>
/// Drains the outbox on every node at <see cref="EmailOptions.SendInterval"/>: claims due messages,
/// sends each over SMTP, and marks it sent or schedules the next attempt with exponential backoff.
/// </summary>
/// <remarks>
/// <para>
/// Claiming across nodes: a conditional UPDATE puts a lease on the rows
/// (<c>ClaimedBy</c>/<c>ClaimedUntil</c>) only where no live lease exists, then the dispatcher reads
/// back what carries its own claim. Each row is claimed by one dispatcher: SQLite runs one writer
/// at a time, and PostgreSQL re-checks the WHERE clause of an UPDATE that waited on a row lock
/// against the row as the other transaction left it, so the loser matches nothing.
/// </para>
/// <para>
/// Not <c>SELECT ... FOR UPDATE SKIP LOCKED</c>: SQLite has no row locks, and the lock would live
/// only as long as a transaction that would then stay open for the whole SMTP conversation. A
/// lease is one mechanism for both engines, holds no transaction while talking to the mail server,
/// and expires by itself when a node dies mid-send, so another node takes the messages over.
/// </para>
/// <para>
/// Delivery is at least once: if the mail server accepts a message and the database then fails to
/// record it, the message is sent again after the lease. No send starts unless it can finish
/// (within <see cref="SmtpOptions.Timeout"/>) before the lease ends.
/// </para>
/// </remarks>
public sealed partial class OutboxEmailDispatcher(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    TimeProvider time,
    IOptions<EmailOptions> options,
    ILogger<OutboxEmailDispatcher> logger) : BackgroundService
{
    private const int MaxErrorLength = 1000;
    private const int MaxClaimRounds = 10;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        RecurringWork.RunAsync(time, options.Value.SendInterval, DrainOnceAsync, ex => LogDrainFailed(logger, ex.GetType().Name, ex.Message), stoppingToken);

    /// <summary>Sends every message that is due now, batch by batch. Returns how many were sent.</summary>
    public async Task<int> DrainOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.Smtp.Host))
        {
            await WarnAboutWaitingMessagesAsync(cancellationToken);
            return 0;
        }

        var from = new MailAddress(settings.From.Address!, settings.From.DisplayName);
        var sent = 0;
        while (await ClaimAsync(settings, cancellationToken) is { } claim)
        {
            try
            {
                sent += await SendClaimedAsync(claim, from, settings, cancellationToken);
            }
            finally
            {
                // Whatever this claim did not get to (lease running out, shutdown, database error)
                // goes back to the queue at once instead of waiting for the lease to lapse.
                await ReleaseAsync(claim, CancellationToken.None);
            }
        }

        return sent;
    }

    private async Task<Claim?> ClaimAsync(EmailOptions settings, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Another dispatcher may take some or all of the candidates between the two statements;
        // then the next candidates are tried. Bounded, so a claim that keeps matching nothing
        // cannot spin; what is left waits for the next drain.
        for (var round = 0; round < MaxClaimRounds; round++)
        {
            var now = time.GetUtcNow();
            var candidates = await db.EmailOutbox.Where(DueAt(now))
                .OrderBy(m => m.NextAttemptAt).Take(settings.BatchSize).Select(m => m.Id)
                .ToListAsync(cancellationToken);
            if (candidates.Count == 0)
            {
                return null;
            }

            var claim = new Claim(NewClaimId(), now + settings.ClaimLease, []);
            var claimed = await db.EmailOutbox
                .Where(m => candidates.Contains(m.Id))
                .Where(DueAt(now))
                .ExecuteUpdateAsync(set => set
                    .SetProperty(m => m.ClaimedBy, claim.Id)
                    .SetProperty(m => m.ClaimedUntil, claim.Until), cancellationToken);
            if (claimed > 0)
            {
                return claim with
                {
                    Messages = await db.EmailOutbox.AsNoTracking().Where(m => m.ClaimedBy == claim.Id)
                        .OrderBy(m => m.NextAttemptAt).ToListAsync(cancellationToken),
                };
            }
        }

        return null;
    }

    // Pending, its time has come, and nobody holds a live claim on it.
    private static Expression<Func<EmailOutboxMessage, bool>> DueAt(DateTimeOffset now) =>
        m => m.Status == EmailOutboxStatus.Pending && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil < now);

    private async Task<int> SendClaimedAsync(Claim claim, MailAddress from, EmailOptions settings, CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var message in claim.Messages)
        {
            if (time.GetUtcNow() + settings.Smtp.Timeout > claim.Until)
            {
                break;
            }

            var domain = RecipientDomain(message.To);
            try
            {
                await SendAsync(message, from, settings.Smtp, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await RecordFailureAsync(claim, message, domain, ex, settings);
                continue;
            }

            await MarkSentAsync(claim, message);
            LogSent(logger, message.Id, domain);
            sent++;
        }

        return sent;
    }

    private static async Task SendAsync(EmailOutboxMessage message, MailAddress from, SmtpOptions smtp, CancellationToken cancellationToken)
    {
        // One client per message: after a failed conversation System.Net.Mail's client is in no
        // state to be trusted with the next one, and these are a handful of messages, not a stream.
        using var client = new SmtpClient(smtp.Host, smtp.Port)
        {
            EnableSsl = smtp.EnableSsl,
            Timeout = (int)smtp.Timeout.TotalMilliseconds,
            DeliveryMethod = SmtpDeliveryMethod.Network,
        };
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            client.Credentials = new NetworkCredential(smtp.UserName, smtp.Password);
        }

        using var mail = Compose(message, from);
        await client.SendMailAsync(mail, cancellationToken);
    }

    private static MailMessage Compose(EmailOutboxMessage message, MailAddress from)
    {
        var mail = new MailMessage
        {
            From = from,
            Subject = message.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            Body = message.TextBody,
            BodyEncoding = Encoding.UTF8,
            IsBodyHtml = false,
        };
        mail.To.Add(message.To);
        // The outbox id in the Message-ID ties a delivered message to its row (and its log lines),
        // and lets a receiving system recognise a repeat after an at-least-once resend.
        mail.Headers["Message-ID"] = $"<{message.Id:N}@{from.Host}>";
        if (message.HtmlBody is not null)
        {
            // multipart/alternative: the text body first, the HTML view preferred by clients that show it.
            mail.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(message.HtmlBody, Encoding.UTF8, MediaTypeNames.Text.Html));
        }

        return mail;
    }

    private async Task MarkSentAsync(Claim claim, EmailOutboxMessage message)
    {
        // Not cancellable: the message has left; the row must say so or it would be sent again.
        // Its body may hold a sign-in code or a single-use link: once sent, the row keeps only the envelope.
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await db.EmailOutbox.Where(m => m.Id == message.Id && m.ClaimedBy == claim.Id).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.Status, EmailOutboxStatus.Sent)
            .SetProperty(m => m.TextBody, "")
            .SetProperty(m => m.HtmlBody, (string?)null)
            .SetProperty(m => m.SentAt, time.GetUtcNow())
            .SetProperty(m => m.Attempts, message.Attempts + 1)
            .SetProperty(m => m.ClaimedBy, (string?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
    }

    private async Task RecordFailureAsync(Claim claim, EmailOutboxMessage message, string domain, Exception error, EmailOptions settings)
    {
        var now = time.GetUtcNow();
        var attempts = message.Attempts + 1;
        var givingUp = attempts >= settings.MaxAttempts;
        var nextAttemptAt = now + settings.RetryDelayAfter(attempts);
        var reason = Describe(error);
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await db.EmailOutbox.Where(m => m.Id == message.Id && m.ClaimedBy == claim.Id).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.Status, givingUp ? EmailOutboxStatus.Failed : EmailOutboxStatus.Pending)
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.LastError, reason)
            .SetProperty(m => m.NextAttemptAt, nextAttemptAt)
            .SetProperty(m => m.ClaimedBy, (string?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);

        // A mail server's reply may quote the address; the log names only its domain.
        var loggedReason = reason.Replace(message.To, "<recipient>", StringComparison.OrdinalIgnoreCase);
        if (givingUp)
        {
            LogGaveUp(logger, message.Id, domain, attempts, loggedReason);
        }
        else
        {
            LogSendFailed(logger, message.Id, domain, attempts, settings.MaxAttempts, loggedReason, nextAttemptAt);
        }
    }

    private async Task ReleaseAsync(Claim claim, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.EmailOutbox.Where(m => m.ClaimedBy == claim.Id).ExecuteUpdateAsync(set => set
                .SetProperty(m => m.ClaimedBy, (string?)null)
                .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The lease lapses by itself; releasing early only saves the wait.
            LogReleaseFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    private async Task WarnAboutWaitingMessagesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var waiting = await db.EmailOutbox.CountAsync(m => m.Status == EmailOutboxStatus.Pending, cancellationToken);
        if (waiting > 0)
        {
            LogNoSmtpHost(logger, waiting);
        }
    }

    // The node's name shows an operator reading the table who holds a message; the random part
    // keeps two drains (of one node or of two) from ever sharing a claim.
    private static string NewClaimId()
    {
        var node = Environment.MachineName;
        return $"{node[..Math.Min(node.Length, 60)]}:{Guid.NewGuid():N}";
    }

    private static string RecipientDomain(string address) =>
        MailAddress.TryCreate(address, out var parsed) ? parsed.Host : "(invalid address)";

    private static string Describe(Exception error)
    {
        var text = new StringBuilder();
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (text.Length > 0)
            {
                text.Append(" <- ");
            }

            text.Append(current.GetType().Name).Append(": ").Append(current.Message);
            if (current is SmtpException smtp)
            {
                text.Append(" (").Append(smtp.StatusCode).Append(')');
            }
        }

        return text.Length <= MaxErrorLength ? text.ToString() : text.ToString(0, MaxErrorLength);
    }

    private sealed record Claim(string Id, DateTimeOffset Until, IReadOnlyList<EmailOutboxMessage> Messages);

    [LoggerMessage(6301, LogLevel.Information, "Sent email {MessageId} to a recipient at {RecipientDomain}")]
    private static partial void LogSent(ILogger logger, Guid messageId, string recipientDomain);

    [LoggerMessage(6302, LogLevel.Warning, "Sending email {MessageId} to a recipient at {RecipientDomain} failed (attempt {Attempt} of {MaxAttempts}: {Reason}); next attempt at {NextAttemptAt:O}")]
    private static partial void LogSendFailed(ILogger logger, Guid messageId, string recipientDomain, int attempt, int maxAttempts, string reason, DateTimeOffset nextAttemptAt);

    [LoggerMessage(6303, LogLevel.Error, "Gave up on email {MessageId} to a recipient at {RecipientDomain} after {Attempts} attempts (last: {Reason}); it stays in the outbox marked Failed")]
    private static partial void LogGaveUp(ILogger logger, Guid messageId, string recipientDomain, int attempts, string reason);

    [LoggerMessage(6304, LogLevel.Warning, "{Count} emails are waiting in the outbox, but Email:Smtp:Host is not configured; they are kept and sent once it is")]
    private static partial void LogNoSmtpHost(ILogger logger, int count);

    [LoggerMessage(6305, LogLevel.Warning, "Draining the email outbox failed ({ExceptionType}: {Reason}); retrying at the next interval")]
    private static partial void LogDrainFailed(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(6306, LogLevel.Warning, "Releasing unsent email claims failed ({ExceptionType}: {Reason}); they return to the queue when their lease lapses")]
    private static partial void LogReleaseFailed(ILogger logger, string exceptionType, string reason);
}
