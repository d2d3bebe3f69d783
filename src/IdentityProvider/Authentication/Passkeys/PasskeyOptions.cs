namespace IdentityProvider.Authentication.Passkeys;

/// <summary>Bound from <c>Passkeys</c>. WebAuthn Level 3 (https://www.w3.org/TR/webauthn-3/).</summary>
public sealed class PasskeyOptions
{
    public const string SectionName = "Passkeys";

    /// <summary>
    /// The RP ID (WebAuthn §5.1.2): a registrable domain the passkeys are bound to. Default: the
    /// issuer's host. Changing it later orphans every registered passkey, so choose it once.
    /// </summary>
    public string? RelyingPartyId { get; set; }

    /// <summary>
    /// Origins a ceremony may come from (WebAuthn §7.1 step 9, §7.2 step 13), e.g.
    /// <c>https://id.example.com</c>. Default: the issuer's origin only.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>
    /// <c>preferred</c> (default): a passkey without user verification still proves possession
    /// and is accepted where one factor is enough. <c>required</c>: refused everywhere.
    /// </summary>
    public string UserVerification { get; set; } = "preferred";

    /// <summary>How long a challenge may be answered; also the browser's timeout.</summary>
    public TimeSpan CeremonyLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A session younger than this may add a passkey without confirming the password again.</summary>
    public TimeSpan FreshSignInWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A bound on stored credentials per user, so a session cannot fill the table.</summary>
    public int MaxPerUser { get; set; } = 20;
}
