using System.Globalization;
using System.Text;
using IdentityProvider.Persistence.Entities;

namespace IdentityProvider.Admin.Audit;

/// <summary>
/// The audit trail as CSV (RFC 4180): a header row, CRLF line ends, and fields quoted when they hold
/// a comma, a quote or a line break. A field a spreadsheet would run as a formula is made text.
/// </summary>
public static class AuditCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static readonly IReadOnlyList<string> Columns =
        ["time", "actor", "action", "outcome", "target_type", "target_id", "ip_address", "user_agent", "details"];

    public static string FileName(DateTimeOffset now) =>
        "audit-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + ".csv";

    /// <summary>Writes as it reads, flushing every few rows, so a large export streams instead of buffering.</summary>
    public static async Task WriteAsync(Stream body, IAsyncEnumerable<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(string.Join(',', Columns));
        var rows = 0;
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            await writer.WriteLineAsync(Row(e));
            if (++rows % 100 == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    public static string Row(AuditEvent e) => string.Join(',', new[]
    {
        e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        e.Actor,
        e.Action,
        e.Outcome == AuditOutcome.Success ? "success" : "failure",
        e.TargetType,
        e.TargetId,
        e.IpAddress,
        e.UserAgent,
        e.Details,
    }.Select(Field));

    /// <summary>One field, RFC 4180 §2 rules 6 and 7, after formula neutralising.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        // A cell starting with = + - @ (or a tab or carriage return before one) is a formula to Excel and
        // LibreOffice: user agents and details come from outside, so the leading apostrophe keeps them text.
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
