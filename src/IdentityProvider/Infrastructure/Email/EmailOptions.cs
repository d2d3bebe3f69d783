namespace IdentityProvider.Infrastructure.Email;

/// <summary>Bound from <c>Email</c>.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary>The sender of every message. Required once <see cref="SmtpOptions.Host"/> is set.</summary>
    public EmailAddressOptions From { get; set; } = new();

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>How often each node drains the outbox. Default 10 seconds.</summary>
    public TimeSpan SendInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per message before it is marked failed (and logged at Error). Default 8.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>
    /// Wait after the first failed attempt; it doubles with each further failure up to
    /// <see cref="MaxRetryDelay"/>. Defaults 30 seconds and 1 hour: eight attempts span about two hours.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Messages one dispatcher claims at a time. Default 20.</summary>
    public int BatchSize { get; set; } = 20;

    /// <summary>
    /// How long a claim holds a batch. A node that dies while sending leaves its claim behind; after
    /// this time another node takes the messages over. Default 5 minutes.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The wait after the <paramref name="attempts"/>th failed attempt (counting from 1): 30 s, 1 min, 2 min, ... up to the cap.</summary>
    public TimeSpan RetryDelayAfter(int attempts)
    {
        // 2^n overflows quickly; beyond the cap the exact power does not matter.
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var delay = RetryDelay.TotalMilliseconds * Math.Pow(2, exponent);
        return delay >= MaxRetryDelay.TotalMilliseconds ? MaxRetryDelay : TimeSpan.FromMilliseconds(delay);
    }
}

public sealed class EmailAddressOptions
{
    public string? Address { get; set; }

    public string? DisplayName { get; set; }
}

public sealed class SmtpOptions
{
    /// <summary>Without a host, messages wait in the outbox (a warning is logged at each drain).</summary>
    public string? Host { get; set; }

    /// <summary>Default 25. Use 587 with <see cref="EnableSsl"/> for submission with STARTTLS.</summary>
    public int Port { get; set; } = 25;

    /// <summary>
    /// STARTTLS (System.Net.Mail does not speak implicit TLS, so port 465 is not supported). Default false.
    /// </summary>
    public bool EnableSsl { get; set; }

    /// <summary>With a user name, the client authenticates; otherwise it sends anonymously.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>How long one SMTP conversation may take. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
