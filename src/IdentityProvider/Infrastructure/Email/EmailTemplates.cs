namespace IdentityProvider.Infrastructure.Email;

/// <summary>
/// The default text of every message the provider sends, in one place so that administrators can
/// later override them by <see cref="EmailTemplate.Name"/>.
/// </summary>
public static class EmailTemplates
{
    /// <summary>To each administrator when a user's second factor is removed. Placeholders: user, email, actor, time.</summary>
    public static EmailTemplate MfaDisabled { get; } = new(
        Name: "mfa-disabled",
        Subject: "Two-factor authentication was disabled for {user}",
        TextBody: """
            Two-factor authentication was disabled for {user} ({email}).

            Done by: {actor}
            At: {time}

            Until a second factor is set up again, the account can be signed in to with its password alone.

            If you did not expect this, contact {user} through a channel you already trust (not by replying to this message) and check the account's recent activity.
            """,
        HtmlBody: """
            <p>Two-factor authentication was disabled for <strong>{user}</strong> ({email}).</p>
            <p>Done by: {actor}<br>At: {time}</p>
            <p>Until a second factor is set up again, the account can be signed in to with its password alone.</p>
            <p>If you did not expect this, contact {user} through a channel you already trust (not by replying to this message) and check the account's recent activity.</p>
            """);

    public static IReadOnlyList<EmailTemplate> All { get; } = [MfaDisabled];
}
