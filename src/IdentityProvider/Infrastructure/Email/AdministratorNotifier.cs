using System.Globalization;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Persistence;

namespace IdentityProvider.Infrastructure.Email;

/// <summary>Security notices to every administrator, queued in the outbox.</summary>
public sealed partial class AdministratorNotifier(
    IdentityProviderDbContext db,
    IEmailSender email,
    EmailTemplateStore templates,
    TimeProvider time,
    ILogger<AdministratorNotifier> logger)
{
    /// <summary>
    /// One message per administrator with an email address: the account lost its second factor,
    /// who removed it (<paramref name="actor"/>, e.g. "the user, with a recovery code") and when.
    /// </summary>
    public async Task NotifyMfaDisabledAsync(string userDisplayName, string userEmail, string actor, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["user"] = userDisplayName,
            ["email"] = userEmail,
            ["actor"] = actor,
            ["time"] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        };
        var count = await QueueForAdministratorsAsync(EmailTemplates.MfaDisabled, values, cancellationToken);
        LogNotified(logger, EmailTemplates.MfaDisabled.Name, count);
    }

    private async Task<int> QueueForAdministratorsAsync(EmailTemplate template, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        var text = await templates.GetAsync(template, cancellationToken);
        var recipients = await AdministratorDirectory.EmailAddressesAsync(db, cancellationToken);
        if (recipients.Count == 0)
        {
            return 0;
        }

        // All administrators or none: a notice that reaches some of them looks, to the others,
        // as if nothing happened. Inside a caller's transaction, that transaction decides.
        await using var transaction = db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(cancellationToken)
            : null;
        foreach (var recipient in recipients)
        {
            await email.QueueAsync(text.Render(recipient, values), cancellationToken);
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return recipients.Count;
    }

    [LoggerMessage(6310, LogLevel.Information, "Queued the '{Template}' notice to {Count} administrators")]
    private static partial void LogNotified(ILogger logger, string template, int count);
}
