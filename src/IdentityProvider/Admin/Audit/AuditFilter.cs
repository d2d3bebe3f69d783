using System.Globalization;
using IdentityProvider.Persistence.Entities;

namespace IdentityProvider.Admin.Audit;

/// <summary>
/// Which audit events to read: by user (as actor or as target), by action (exact, or a prefix ending
/// in a dot such as <c>passkey.</c>), by outcome, and by time (<see cref="From"/> inclusive,
/// <see cref="To"/> exclusive, UTC). Every part is optional.
/// </summary>
public sealed record AuditFilter(string? User = null, string? Action = null, AuditOutcome? Outcome = null, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    private const int MaxUserLength = 200;
    private const int MaxActionLength = 100;

    /// <summary>An action ending in a dot names a family (<c>sign_in.</c>), matched as a prefix.</summary>
    public bool ActionIsPrefix => Action?.EndsWith('.') == true;

    /// <summary>
    /// Reads the filter from query text, as the console page and the admin API receive it. Times are
    /// ISO 8601; without an offset they are UTC. A bare date as <paramref name="to"/> means the end of that day.
    /// </summary>
    /// <returns>The filter, or null and what was wrong with the input.</returns>
    public static (AuditFilter? Filter, string? Error) Parse(string? user, string? action, string? outcome, string? from, string? to)
    {
        user = Blank(user);
        action = Blank(action);
        if (user?.Length > MaxUserLength)
        {
            return (null, $"'user' is longer than {MaxUserLength} characters.");
        }

        if (action?.Length > MaxActionLength)
        {
            return (null, $"'action' is longer than {MaxActionLength} characters.");
        }

        // Only the two names: not the enum's numbers, nor the comma lists Enum.TryParse would accept.
        var outcomeName = Blank(outcome)?.ToLowerInvariant();
        if (outcomeName is not (null or "success" or "failure"))
        {
            return (null, "'outcome' is 'success' or 'failure'.");
        }

        AuditOutcome? parsedOutcome = outcomeName switch
        {
            "success" => AuditOutcome.Success,
            "failure" => AuditOutcome.Failure,
            _ => null,
        };

        if (!TryParseTime(from, endOfDay: false, out var fromTime))
        {
            return (null, "'from' is not an ISO 8601 date or time (e.g. 2026-11-22 or 2026-11-22T09:00:00Z).");
        }

        if (!TryParseTime(to, endOfDay: true, out var toTime))
        {
            return (null, "'to' is not an ISO 8601 date or time (e.g. 2026-11-22 or 2026-11-22T09:00:00Z).");
        }

        if (fromTime is not null && toTime is not null && fromTime >= toTime)
        {
            return (null, "'from' must be earlier than 'to'.");
        }

        return (new AuditFilter(user, action, parsedOutcome, fromTime, toTime), null);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool TryParseTime(string? text, bool endOfDay, out DateTimeOffset? time)
    {
        time = null;
        if (Blank(text) is not { } value)
        {
            return true;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            time = endOfDay ? start.AddDays(1) : start;
            return true;
        }

        // Only the ISO 8601 shapes (a date-time with or without seconds and offset), never a culture's format.
        string[] formats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"];
        if (DateTimeOffset.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        return false;
    }
}
