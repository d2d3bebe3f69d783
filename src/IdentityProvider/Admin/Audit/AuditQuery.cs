using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Audit;

/// <summary>One audit event as the console and the API show it, with the names of known users.</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset OccurredAt,
    string Actor,
    string? ActorName,
    string Action,
    AuditOutcome Outcome,
    string? TargetType,
    string? TargetId,
    string? TargetName,
    string? IpAddress,
    string? UserAgent,
    string? Details);

/// <param name="Page">1-based.</param>
/// <param name="HasMore">Another page follows.</param>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, int Page, int PageSize, bool HasMore);

/// <summary>Reads the audit trail, newest first, for the console page and the admin API alike. Never writes.</summary>
public sealed class AuditQuery(IdentityProviderDbContext db)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>Deep offsets cost a scan; past this page, narrow the filter (or export).</summary>
    public const int MaxPage = 1000;

    public async Task<AuditPage> ListAsync(AuditFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        page = Math.Clamp(page, 1, MaxPage);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        // One row more than asked tells whether a next page exists without counting the table.
        var rows = await Filtered(filter).Skip((page - 1) * pageSize).Take(pageSize + 1).ToListAsync(cancellationToken);
        var shown = rows.Take(pageSize).ToList();
        var names = await NamesAsync(shown, cancellationToken);
        var entries = shown.Select(e => new AuditEntry(e.Id, e.OccurredAt, e.Actor, names.GetValueOrDefault(e.Actor), e.Action, e.Outcome,
            e.TargetType, e.TargetId, e.TargetId is null ? null : names.GetValueOrDefault(e.TargetId), e.IpAddress, e.UserAgent, e.Details)).ToList();
        return new AuditPage(entries, page, pageSize, rows.Count > pageSize);
    }

    /// <summary>Every matching event, newest first, read row by row so an export never holds the table in memory.</summary>
    public IAsyncEnumerable<AuditEvent> StreamAsync(AuditFilter filter) => Filtered(filter).AsAsyncEnumerable();

    private IQueryable<AuditEvent> Filtered(AuditFilter filter)
    {
        var events = db.AuditEvents.AsNoTracking();
        if (filter.User is { } user)
        {
            events = events.Where(e => e.Actor == user || e.TargetId == user);
        }

        if (filter.Action is { } action)
        {
            events = filter.ActionIsPrefix ? events.Where(e => e.Action.StartsWith(action)) : events.Where(e => e.Action == action);
        }

        if (filter.Outcome is { } outcome)
        {
            events = events.Where(e => e.Outcome == outcome);
        }

        if (filter.From is { } from)
        {
            events = events.Where(e => e.OccurredAt >= from);
        }

        if (filter.To is { } to)
        {
            events = events.Where(e => e.OccurredAt < to);
        }

        // Id breaks ties between events of the same instant, so pages never overlap or skip.
        return events.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id);
    }

    private async Task<Dictionary<string, string>> NamesAsync(IEnumerable<AuditEvent> events, CancellationToken cancellationToken)
    {
        var ids = events.SelectMany(e => new[] { e.Actor, e.TargetId }).OfType<string>().Distinct().ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        return await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id) && u.UserName != null)
            .ToDictionaryAsync(u => u.Id, u => u.UserName!, cancellationToken);
    }
}
