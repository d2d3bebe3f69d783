using System.Net;
using System.Text.RegularExpressions;

namespace IdentityProvider.Infrastructure.Email;

/// <summary>
/// A message with <c>{placeholder}</c> slots (letters only). Values are substituted once, so a value
/// that itself looks like a placeholder stays as it is; in the HTML body they are HTML-encoded.
/// </summary>
public sealed partial record EmailTemplate(string Name, string Subject, string TextBody, string HtmlBody)
{
    /// <summary>The placeholders the subject and bodies use, for an editor to check a changed template against.</summary>
    public IReadOnlySet<string> Placeholders =>
        new[] { Subject, TextBody, HtmlBody }.SelectMany(part => Placeholder().Matches(part)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">the template uses a placeholder <paramref name="values"/> lacks</exception>
    public EmailMessage Render(string to, IReadOnlyDictionary<string, string> values)
    {
        // Names, addresses and actors come from users. A line break in one could forge extra lines
        // in the text body, or extra headers in the subject; none of them legitimately has one.
        var clean = values.ToDictionary(pair => pair.Key, pair => SingleLine(pair.Value), StringComparer.Ordinal);
        return new EmailMessage(
            to,
            Substitute(Subject, clean, encode: false),
            Substitute(TextBody, clean, encode: false),
            Substitute(HtmlBody, clean, encode: true));
    }

    private string Substitute(string text, IReadOnlyDictionary<string, string> values, bool encode) =>
        Placeholder().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            if (!values.TryGetValue(name, out var value))
            {
                throw new ArgumentException($"The email template '{Name}' uses {{{name}}}, which was not given a value.", nameof(values));
            }

            return encode ? WebUtility.HtmlEncode(value) : value;
        });

    private static string SingleLine(string value) =>
        string.Create(value.Length, value, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}
