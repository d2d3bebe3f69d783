using IdentityProvider.Admin.Audit;
using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace IdentityProvider.Pages.Admin;

/// <summary>
/// The audit trail, filtered by a GET form so a filtered view is a link to share; the CSV export
/// carries the same filter. Reading needs <see cref="AdminPermissions.AuditRead"/>.
/// </summary>
[AdminPermission(AdminPermissions.AuditRead)]
public sealed class AuditModel(AuditQuery query, TimeProvider time) : PageModel
{
    public const string Path = "/admin/audit";

    /// <summary>The form's values as typed, shown again and carried into paging and export links.</summary>
    [FromQuery(Name = "user")]
    public string? UserFilter { get; set; }

    [FromQuery(Name = "action")]
    public string? ActionFilter { get; set; }

    [FromQuery(Name = "outcome")]
    public string? OutcomeFilter { get; set; }

    [FromQuery(Name = "from")]
    public string? From { get; set; }

    [FromQuery(Name = "to")]
    public string? To { get; set; }

    /// <summary>Not <c>page</c>: Razor Pages keeps that name for its own route value.</summary>
    [FromQuery(Name = "pageNumber")]
    public int PageNumber { get; set; } = 1;

    public bool FilterRefused { get; private set; }

    public AuditPage? Results { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Filter() is not { } filter)
        {
            return Refused();
        }

        Results = await query.ListAsync(filter, PageNumber, AuditQuery.DefaultPageSize, cancellationToken);
        return Page();
    }

    /// <summary>Every event the filter selects, streamed as a CSV download.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        if (Filter() is not { } filter)
        {
            return Refused();
        }

        Response.ContentType = AuditCsv.ContentType;
        Response.Headers[HeaderNames.ContentDisposition] = new ContentDispositionHeaderValue("attachment")
        {
            FileName = AuditCsv.FileName(time.GetUtcNow()),
        }.ToString();
        await AuditCsv.WriteAsync(Response.Body, query.StreamAsync(filter), cancellationToken);
        return new EmptyResult();
    }

    /// <summary>This view's link with another page number, or as the CSV export.</summary>
    public string Link(int? pageNumber = null, bool csv = false)
    {
        var parameters = new List<KeyValuePair<string, string?>>();
        if (csv)
        {
            parameters.Add(new("handler", "Csv"));
        }

        foreach (var (name, value) in new[] { ("user", UserFilter), ("action", ActionFilter), ("outcome", OutcomeFilter), ("from", From), ("to", To) })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                parameters.Add(new(name, value.Trim()));
            }
        }

        if (pageNumber is > 1)
        {
            parameters.Add(new("pageNumber", pageNumber.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return QueryHelpers.AddQueryString(Path, parameters);
    }

    private AuditFilter? Filter() => AuditFilter.Parse(UserFilter, ActionFilter, OutcomeFilter, From, To).Filter;

    private PageResult Refused()
    {
        FilterRefused = true;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
