namespace IdentityProvider.Authentication.Passkeys;

/// <summary>
/// What the user is told when a ceremony is refused. Identity reports each failure as a
/// <see cref="Microsoft.AspNetCore.Identity.PasskeyException"/> with an English sentence meant
/// for developers; the full sentence goes to the audit trail and the log, and the page gets one
/// of these, by the kind of failure.
/// </summary>
public static class PasskeyErrors
{
    public const string Expired = "This passkey request has expired or was already used. Try again.";
    public const string NotUsable = "That passkey could not be used to sign you in. Try again, or sign in with your password.";
    public const string WrongSite = "That passkey was offered for a different website, so it was not accepted.";
    public const string AlreadyRegistered = "This passkey is already registered to an account.";
    public const string Replayed = "That passkey answer was already used or looks copied from another device, so it was not accepted.";
    public const string RegistrationNotVerified = "The passkey could not be verified. Try again.";

    public static string ForRegistration(string reason) => Classify(reason) ?? RegistrationNotVerified;

    public static string ForAssertion(string reason) => Classify(reason) ?? NotUsable;

    private static string? Classify(string reason) => reason switch
    {
        _ when Has(reason, "invalid origin") || Has(reason, "Relying Party ID") => WrongSite,
        _ when Has(reason, "already registered") => AlreadyRegistered,
        _ when Has(reason, "signature counter") => Replayed,
        // An answer to another challenge: typically a second tab, or a page left open too long.
        _ when Has(reason, "challenge") => Expired,
        _ when Has(reason, "'UserVerified'") => PasskeyAuthenticator.VerificationRequired,
        _ => null,
    };

    /// <summary>
    /// Identity's sentences quote what the browser sent (an origin, a type); the audit trail and
    /// the log keep them, bounded and without control characters, since a client chose them.
    /// </summary>
    public static string ForRecord(string reason)
    {
        var printable = new string([.. reason.Where(c => !char.IsControl(c))]);
        return printable.Length <= 300 ? printable : printable[..300] + "…";
    }

    private static bool Has(string reason, string words) => reason.Contains(words, StringComparison.OrdinalIgnoreCase);
}
