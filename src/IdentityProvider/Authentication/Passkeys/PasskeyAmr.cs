namespace IdentityProvider.Authentication.Passkeys;

/// <summary>
/// What a passkey assertion proved, in RFC 8176 <c>amr</c> values. WebAuthn tells whether the
/// user was present (UP) and verified (UV, by PIN or biometric on the device), but not how they
/// were verified, so UV is stated as <c>pin</c>, the closest value that covers both.
/// </summary>
public static class PasskeyAmr
{
    /// <param name="backupEligible">
    /// A synced passkey (WebAuthn §6.1.3 BE flag) can leave the device, so its key is stated as
    /// software-protected (<c>swk</c>); a device-bound one as hardware-protected (<c>hwk</c>).
    /// </param>
    public static IReadOnlyList<string> Of(bool backupEligible, bool userVerified) =>
        userVerified
            ? [backupEligible ? "swk" : "hwk", "user", "pin", "mfa"]
            : [backupEligible ? "swk" : "hwk", "user"];
}
