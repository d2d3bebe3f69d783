using IdentityProvider.Admin.Audit;
using IdentityProvider.Admin.Permissions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>The audit trail for administrators and their tools: the same query the console page uses.</summary>
public static class AuditApi
{
    /// <param name="Outcome"><c>success</c> or <c>failure</c>.</param>
    public sealed record AuditEventView(
        long Id,
        DateTimeOffset OccurredAt,
        string Actor,
        string? ActorName,
        string Action,
        string Outcome,
        string? TargetType,
        string? TargetId,
        string? TargetName,
        string? IpAddress,
        string? UserAgent,
        string? Details);

    public sealed record AuditEventsPage(IReadOnlyList<AuditEventView> Events, int Page, int PageSize, bool HasMore);

    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", ListAsync)
            .WithName("listAuditEvents")
            .WithSummary("Audit events, newest first, filtered by user (actor or target), action (exact, or a prefix ending in '.'), outcome and time (from inclusive, to exclusive, ISO 8601, UTC).")
            .RequirePermission(AdminPermissions.AuditRead);
        api.MapGet("/audit.csv", ExportAsync)
            .WithName("exportAuditEvents")
            .WithSummary("The audit events the same filter selects, as CSV (RFC 4180), newest first.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .RequirePermission(AdminPermissions.AuditRead);
        return api;
    }

    /// <param name="page">1-based; each page holds <see cref="AuditQuery.DefaultPageSize"/> events.</param>
    public static async Task<Results<Ok<AuditEventsPage>, BadRequest<ProblemDetails>>> ListAsync(
        string? user, string? action, string? outcome, string? from, string? to, int? page, AuditQuery query, CancellationToken cancellationToken)
    {
        var (filter, error) = AuditFilter.Parse(user, action, outcome, from, to);
        if (filter is null)
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidAuditFilter(error!));
        }

        if (page is < 1 or > AuditQuery.MaxPage)
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidAuditFilter($"'page' is between 1 and {AuditQuery.MaxPage}."));
        }

        var result = await query.ListAsync(filter, page ?? 1, AuditQuery.DefaultPageSize, cancellationToken);
        return TypedResults.Ok(new AuditEventsPage(
            [.. result.Entries.Select(e => new AuditEventView(e.Id, e.OccurredAt, e.Actor, e.ActorName, e.Action, e.Outcome.ToString().ToLowerInvariant(),
                e.TargetType, e.TargetId, e.TargetName, e.IpAddress, e.UserAgent, e.Details))],
            result.Page, result.PageSize, result.HasMore));
    }

    public static Results<PushStreamHttpResult, BadRequest<ProblemDetails>> ExportAsync(
        string? user, string? action, string? outcome, string? from, string? to, AuditQuery query, TimeProvider time, HttpContext http)
    {
        var (filter, error) = AuditFilter.Parse(user, action, outcome, from, to);
        if (filter is null)
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidAuditFilter(error!));
        }

        return TypedResults.Stream(body => AuditCsv.WriteAsync(body, query.StreamAsync(filter), http.RequestAborted),
            AuditCsv.ContentType, AuditCsv.FileName(time.GetUtcNow()));
    }
}
