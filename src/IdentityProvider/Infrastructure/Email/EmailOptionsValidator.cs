using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Infrastructure.Email;

/// <summary>Refuses to start with settings that would make every send fail or never happen.</summary>
internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Smtp.Host) && !MailAddress.TryCreate(options.From.Address, out _))
        {
            failures.Add("Email:From:Address must be an email address when Email:Smtp:Host is set.");
        }

        if (options.Smtp.Port is < 1 or > 65535)
        {
            failures.Add("Email:Smtp:Port must be between 1 and 65535.");
        }

        if (options.SendInterval <= TimeSpan.Zero)
        {
            failures.Add("Email:SendInterval must be positive.");
        }

        if (options.MaxAttempts < 1)
        {
            failures.Add("Email:MaxAttempts must be at least 1.");
        }

        if (options.BatchSize < 1)
        {
            failures.Add("Email:BatchSize must be at least 1.");
        }

        if (options.RetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
        {
            failures.Add("Email:RetryDelay must be positive and Email:MaxRetryDelay at least as long.");
        }

        // A send must be able to finish inside its claim, or another node could take the message
        // over while it is still being sent and deliver it twice.
        if (options.Smtp.Timeout <= TimeSpan.Zero || options.ClaimLease <= options.Smtp.Timeout)
        {
            failures.Add("Email:ClaimLease must be longer than Email:Smtp:Timeout, which must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
