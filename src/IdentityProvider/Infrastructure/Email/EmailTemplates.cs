namespace IdentityProvider.Infrastructure.Email;

/// <summary>
/// The default text of every message the provider sends, in one place so that administrators can
/// override them by <see cref="EmailTemplate.Name"/> (<see cref="EmailTemplateStore"/>, the console's email templates).
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

    /// <summary>
    /// To a user who says they lost their authenticator: the single-use link that removes it after
    /// they sign in with their password. Placeholders: user, link, minutes.
    /// </summary>
    public static EmailTemplate LostDevice { get; } = new(
        Name: "lost-device",
        Subject: "Sign in without your authenticator app",
        TextBody: """
            Hello {user},

            We received a request to sign in to your account without your authenticator app, because the device was lost.

            Open this link within {minutes} minutes and sign in with your password:

            {link}

            Two-factor authentication will then be turned off for your account, and your administrators will be informed. Set up your authenticator app again afterwards.

            The link works once. If you did not ask for this, ignore this message: nothing changes unless the link is opened and your password entered.
            """,
        HtmlBody: """
            <p>Hello {user},</p>
            <p>We received a request to sign in to your account without your authenticator app, because the device was lost.</p>
            <p>Open this link within {minutes} minutes and sign in with your password:</p>
            <p><a href="{link}">{link}</a></p>
            <p>Two-factor authentication will then be turned off for your account, and your administrators will be informed. Set up your authenticator app again afterwards.</p>
            <p>The link works once. If you did not ask for this, ignore this message: nothing changes unless the link is opened and your password entered.</p>
            """);

    /// <summary>
    /// To a user who must use two-factor authentication but has no authenticator (the MFA policy's
    /// email fallback): the single-use code for the second step. Placeholders: user, code, minutes.
    /// </summary>
    public static EmailTemplate EmailSignInCode { get; } = new(
        Name: "email-sign-in-code",
        Subject: "Your sign-in code",
        TextBody: """
            Hello {user},

            Your code to finish signing in is:

            {code}

            It works once, within {minutes} minutes.

            If you are not signing in right now, someone who knows your password may be trying to: do not share this code with anyone, and change your password.
            """,
        HtmlBody: """
            <p>Hello {user},</p>
            <p>Your code to finish signing in is:</p>
            <p><strong>{code}</strong></p>
            <p>It works once, within {minutes} minutes.</p>
            <p>If you are not signing in right now, someone who knows your password may be trying to: do not share this code with anyone, and change your password.</p>
            """);

    /// <summary>
    /// To a user for whom an administrator requested a new passkey: at their next sign-in they are
    /// asked to register one. Placeholders: user, link (the sign-in page).
    /// </summary>
    public static EmailTemplate PasskeyRequest { get; } = new(
        Name: "passkey-request",
        Subject: "Please set up a new passkey",
        TextBody: """
            Hello {user},

            Your administrator asked you to set up a new passkey for your account.

            The next time you sign in, you will be guided through it:

            {link}

            If you did not expect this, contact your administrator through a channel you already trust (not by replying to this message).
            """,
        HtmlBody: """
            <p>Hello {user},</p>
            <p>Your administrator asked you to set up a new passkey for your account.</p>
            <p>The next time you sign in, you will be guided through it:</p>
            <p><a href="{link}">{link}</a></p>
            <p>If you did not expect this, contact your administrator through a channel you already trust (not by replying to this message).</p>
            """);

    /// <summary>
    /// To a user for whom a password reset was requested (by an administrator, or by themselves with
    /// "Forgot your password?"): the single-use link to set a new password. Placeholders: user, link, lifetime (e.g. "1 hour").
    /// </summary>
    public static EmailTemplate PasswordReset { get; } = new(
        Name: "password-reset",
        Subject: "Set a new password",
        TextBody: """
            Hello {user},

            A new password was requested for your account. Open this link within {lifetime} and choose one:

            {link}

            The link works once. If you did not ask for this, ignore this message: your password stays as it is unless the link is opened and a new password chosen.
            """,
        HtmlBody: """
            <p>Hello {user},</p>
            <p>A new password was requested for your account. Open this link within {lifetime} and choose one:</p>
            <p><a href="{link}">{link}</a></p>
            <p>The link works once. If you did not ask for this, ignore this message: your password stays as it is unless the link is opened and a new password chosen.</p>
            """);

    /// <summary>
    /// To a user whose account an administrator created: the single-use link to set their first
    /// password. Placeholders: user, email, link, lifetime (e.g. "72 hours").
    /// </summary>
    public static EmailTemplate AccountInvitation { get; } = new(
        Name: "account-invitation",
        Subject: "Your new account",
        TextBody: """
            Hello {user},

            An administrator created an account for you ({email}). Open this link within {lifetime} to set your password:

            {link}

            The link works once. After that, sign in with your email address and the password you chose.
            """,
        HtmlBody: """
            <p>Hello {user},</p>
            <p>An administrator created an account for you ({email}). Open this link within {lifetime} to set your password:</p>
            <p><a href="{link}">{link}</a></p>
            <p>The link works once. After that, sign in with your email address and the password you chose.</p>
            """);

    public static IReadOnlyList<EmailTemplate> All { get; } = [MfaDisabled, LostDevice, EmailSignInCode, PasskeyRequest, PasswordReset, AccountInvitation];

    /// <summary>
    /// What an administrator may change in each template: the placeholders its sender fills in,
    /// those that must stay (without them the message is useless), and sample values for a preview.
    /// </summary>
    public static IReadOnlyList<EmailTemplateDefinition> Definitions { get; } =
    [
        new(MfaDisabled, "Administrator notification when a user's two-factor authentication is disabled",
            Placeholders: ["user", "email", "actor", "time"], Required: ["user"],
            Samples: new Dictionary<string, string> { ["user"] = "Alice Example", ["email"] = "alice@example.com", ["actor"] = "the user, with a recovery code", ["time"] = "2026-11-22 09:00 UTC" }),
        new(LostDevice, "Lost-device link",
            Placeholders: ["user", "link", "minutes"], Required: ["link"],
            Samples: new Dictionary<string, string> { ["user"] = "Alice Example", ["link"] = "https://id.example.com/account/lost-device/recover?token=SAMPLE", ["minutes"] = "30" }),
        new(EmailSignInCode, "Email sign-in code",
            Placeholders: ["user", "code", "minutes"], Required: ["code"],
            Samples: new Dictionary<string, string> { ["user"] = "Alice Example", ["code"] = "123456", ["minutes"] = "10" }),
        new(PasskeyRequest, "Passkey request",
            Placeholders: ["user", "link"], Required: ["link"],
            Samples: new Dictionary<string, string> { ["user"] = "Alice Example", ["link"] = "https://id.example.com/account/login" }),
        new(PasswordReset, "Password reset link",
            Placeholders: ["user", "link", "lifetime"], Required: ["link"],
            Samples: new Dictionary<string, string> { ["user"] = "Alice Example", ["link"] = "https://id.example.com/account/password/reset?token=SAMPLE", ["lifetime"] = "1 hour" }),
        new(AccountInvitation, "Invitation to a new account",
            Placeholders: ["user", "email", "link", "lifetime"], Required: ["link"],
            Samples: new Dictionary<string, string> { ["user"] = "Alice Example", ["email"] = "alice@example.com", ["link"] = "https://id.example.com/account/password/reset?token=SAMPLE", ["lifetime"] = "72 hours" }),
    ];

    public static EmailTemplateDefinition? Find(string name) => Definitions.FirstOrDefault(d => d.Default.Name == name);
}
