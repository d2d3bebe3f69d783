using System.Buffers.Binary;
using System.Security.Cryptography;

namespace IdentityProvider.Authentication.Totp;

/// <summary>
/// Time-based one-time passwords: RFC 6238 over HOTP (RFC 4226) with HMAC-SHA1, the only
/// algorithm every authenticator app supports. Pure functions; storage and replay protection
/// live in <see cref="TotpAuthenticator"/>.
/// </summary>
public static class Rfc6238
{
    /// <summary>RFC 6238 §4.1 X: the step length every authenticator app assumes.</summary>
    public const int StepSeconds = 30;

    /// <summary>RFC 4226 §5.3: six digits, what authenticator apps show.</summary>
    public const int Digits = 6;

    /// <summary>RFC 4226 §4 R6: the shared secret should be 160 bits, the HMAC-SHA1 output size.</summary>
    public const int SecretBytes = 20;

    /// <summary>
    /// RFC 6238 §4.2: T = floor((Current Unix time - T0) / X) with T0 = 0. Times before the epoch
    /// do not occur here, so integer division is the floor.
    /// </summary>
    public static long TimeStep(DateTimeOffset time, int stepSeconds = StepSeconds) =>
        time.ToUnixTimeSeconds() / stepSeconds;

    /// <summary>The code an authenticator app shows at <paramref name="time"/>.</summary>
    public static string ComputeCode(ReadOnlySpan<byte> secret, DateTimeOffset time, int digits = Digits) =>
        ComputeCode(secret, TimeStep(time), digits);

    /// <summary>HOTP(K, C) of RFC 4226 §5.3 with the time step as the counter (RFC 6238 §4.2).</summary>
    /// <param name="digits">6 to 8; 8 only for the RFC 6238 Appendix B test vectors.</param>
    public static string ComputeCode(ReadOnlySpan<byte> secret, long step, int digits = Digits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 6);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 8);
        ArgumentOutOfRangeException.ThrowIfNegative(step);

        // RFC 4226 §5.2: the counter C is an 8-byte big-endian value.
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);

        // §5.3 step 1: HS = HMAC-SHA-1(K, C), 20 bytes.
        Span<byte> hs = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(secret, counter, hs);

        // §5.3 step 2, dynamic truncation: the low 4 bits of the last byte give an offset; the
        // 31 bits from there (top bit masked to avoid signed/unsigned ambiguity) are Snum.
        var offset = hs[^1] & 0x0f;
        var snum = BinaryPrimitives.ReadInt32BigEndian(hs.Slice(offset, 4)) & 0x7fffffff;

        // §5.3 step 3: D = Snum mod 10^Digit, left-padded with zeros.
        var modulus = digits switch { 6 => 1_000_000, 7 => 10_000_000, _ => 100_000_000 };
        return (snum % modulus).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }
}
