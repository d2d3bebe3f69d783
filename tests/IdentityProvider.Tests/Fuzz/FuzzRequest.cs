using System.Text;

namespace IdentityProvider.Tests.Fuzz;

/// <summary>
/// One generated request, kept raw (path, query string and body bytes exactly as sent) so that
/// encodings a well-behaved client would never produce reach the server unchanged.
/// </summary>
public sealed record FuzzRequest(
    int Number,
    FuzzEndpoint Endpoint,
    string Method,
    string Path,
    string RawQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    string Credential)
{
    /// <summary>A readable account of the request for a failure message, long values cut short.</summary>
    public string Describe()
    {
        var text = new StringBuilder()
            .Append('#').Append(Number).Append(' ').Append(Method).Append(' ').Append(Cut(Path)).Append(Cut(RawQuery))
            .Append(" [credential: ").Append(Credential).Append(']');
        foreach (var (name, value) in Headers)
        {
            text.Append("\n    ").Append(name).Append(": ").Append(Cut(value));
        }

        if (Body is not null)
        {
            text.Append("\n    body (").Append(Body.Length).Append(" bytes): ").Append(Cut(Encoding.UTF8.GetString(Body)));
        }

        return text.ToString();
    }

    private static string Cut(string value) =>
        value.Length <= 300 ? Escape(value) : Escape(value[..300]) + $"…({value.Length} chars)";

    private static string Escape(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
