namespace IdentityProvider.Authentication.Totp;

/// <summary>
/// RFC 4648 §6 base32, the encoding authenticator apps expect for TOTP secrets. Encoding leaves
/// out the '=' padding (the Key URI format and most apps omit it); decoding is case-insensitive
/// and ignores spaces and padding, because people type the grouped secret by hand.
/// </summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        // §6: each 5-byte group becomes 8 characters of 5 bits each; a final partial group is
        // zero-padded on the right to a whole number of 5-bit characters.
        var output = new char[(data.Length * 8 + 4) / 5];
        var position = 0;
        var buffer = 0;
        var bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                output[position++] = Alphabet[(buffer >> bits) & 0x1f];
            }
        }

        if (bits > 0)
        {
            output[position++] = Alphabet[(buffer << (5 - bits)) & 0x1f];
        }

        return new string(output, 0, position);
    }

    /// <returns>False when a character is outside the alphabet or the length cannot be base32.</returns>
    public static bool TryDecode(string text, out byte[] data)
    {
        data = [];
        var output = new List<byte>(text.Length * 5 / 8);
        var buffer = 0;
        var bits = 0;
        var symbols = 0;
        foreach (var c in text)
        {
            if (c is ' ' or '=')
            {
                continue;
            }

            var value = ValueOf(c);
            if (value < 0)
            {
                return false;
            }

            symbols++;
            buffer = ((buffer << 5) | value) & 0xfff;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(buffer >> bits));
            }
        }

        // §6 allows only 0, 2, 4, 5 or 7 symbols in the final quantum (1, 3 and 6 cannot carry
        // whole bytes), and the leftover bits are the encoder's zero padding.
        if (symbols % 8 is 1 or 3 or 6 || (buffer & ((1 << bits) - 1)) != 0)
        {
            return false;
        }

        data = [.. output];
        return true;
    }

    public static byte[] Decode(string text) =>
        TryDecode(text, out var data) ? data : throw new FormatException("The text is not RFC 4648 base32.");

    /// <summary>"JBSW Y3DP EHPK 3PXP": easier to read aloud and to type than one 32-character run.</summary>
    public static string Group(string encoded, int size = 4) =>
        string.Join(' ', encoded.Chunk(size).Select(chunk => new string(chunk)));

    private static int ValueOf(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a',
        >= '2' and <= '7' => c - '2' + 26,
        _ => -1,
    };
}
