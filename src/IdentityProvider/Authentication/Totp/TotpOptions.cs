namespace IdentityProvider.Authentication.Totp;

/// <summary>TOTP settings, bound from the <c>Totp</c> configuration section.</summary>
public sealed class TotpOptions
{
    public const string SectionName = "Totp";

    /// <summary>
    /// Time steps accepted either side of the current one, for clock drift between server and
    /// phone and the time the user takes to type (RFC 6238 §5.2 recommends at most one step
    /// of network delay). Default 1: a code is good for about 90 seconds. 0 to 10. Saved security
    /// settings (<c>SecuritySettingsReader</c>, 0 to 2) take its place.
    /// </summary>
    public int Window { get; set; } = 1;

    /// <summary>Shown by the authenticator app next to the account (Key URI Format <c>issuer</c>).</summary>
    public string Issuer { get; set; } = "Identity Provider";

    /// <summary>RFC 6238 step X. Fixed: authenticator apps ignore other values or use them inconsistently.</summary>
    public int StepSeconds => Rfc6238.StepSeconds;

    /// <summary>Code length. Fixed at 6, what every authenticator app shows.</summary>
    public int Digits => Rfc6238.Digits;
}
