namespace IdentityProvider.Authentication.Totp;

/// <summary>What the enrolment page shows: the secret as a QR code and as text to type.</summary>
/// <param name="Secret">the shared secret, base32 without padding</param>
/// <param name="GroupedSecret">the same in groups of four separated by spaces, for "Can't scan it?"</param>
/// <param name="OtpAuthUri">the Key URI (<c>otpauth://totp/Issuer:account?secret=...</c>) the QR code carries</param>
/// <param name="QrCodeSvg">inline SVG markup of the QR code</param>
public sealed record TotpEnrolment(string Secret, string GroupedSecret, string OtpAuthUri, string QrCodeSvg);
