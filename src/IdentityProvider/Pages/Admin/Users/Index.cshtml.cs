using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Admin.Users;
using IdentityProvider.Federation;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin.Users;

/// <summary>The users list: search, filters, a sort on every column, paging (<see cref="UserDirectory"/>).</summary>
[AdminPermission(AdminPermissions.UsersRead)]
public sealed class IndexModel(UserDirectory directory, OrganisationDirectory organisations, IUpstreamProviderDirectory upstreams) : PageModel
{
    public const string Path = "/admin/users";

    public UserListQuery Query { get; private set; } = new();

    public UserListPage Result { get; private set; } = new([], 1, UserListQuery.PageSize, 0);

    public IReadOnlyList<string> Problems { get; private set; } = [];

    public IReadOnlyList<OrganisationSummary> Organisations { get; private set; } = [];

    /// <summary>Every upstream provider, enabled or not (users may still be linked to a disabled one): the login-method filter's options.</summary>
    public IReadOnlyList<UpstreamProvider> Upstreams { get; private set; } = [];

    public async Task OnGetAsync(
        string? search, string? mfa, string? mfaRequired, string? organisation, string? locked, string? sort, string? dir, string? login,
        string? disabled, CancellationToken cancellationToken)
    {
        // Read from the query string itself: in Razor Pages the route value "page" names the page.
        string? page = Request.Query["page"];
        // A value the list cannot read is named on the page; the rest of the query still applies.
        UserListQuery.TryParse(search, mfa, mfaRequired, organisation, locked, sort, dir, page, out var query, out var problems, login, disabled);
        Query = query;
        Problems = problems;
        Organisations = await organisations.ListAsync(cancellationToken);
        Upstreams = await upstreams.ListAsync(cancellationToken);
        Result = await directory.ListAsync(query, cancellationToken);
    }

    /// <summary>This list's address with <paramref name="change"/> applied, for sort links and paging.</summary>
    public string Link(Func<UserListQuery, UserListQuery> change)
    {
        var q = change(Query);
        var values = new List<KeyValuePair<string, string?>>
        {
            new("search", q.Search),
            new("mfa", q.Mfa is { } mfa ? UserListQuery.Name(mfa) : null),
            new("mfaRequired", q.MfaRequired is { } required ? (required ? "true" : "false") : null),
            new("organisation", q.OrganisationId),
            new("locked", q.Locked is { } locked ? (locked ? "true" : "false") : null),
            new("login", q.Login),
            new("disabled", q.Disabled is { } disabled ? (disabled ? "true" : "false") : null),
            new("sort", q.Sort == UserSort.Name ? null : UserListQuery.Name(q.Sort)),
            new("dir", q.Descending ? "desc" : null),
            new("page", q.Page == 1 ? null : q.Page.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(Path, values.Where(v => v.Value is not null));
    }

    /// <summary>A column header's link: ascending first, the other direction when the list is already sorted on it.</summary>
    public string SortLink(UserSort column) =>
        Link(q => q with { Sort = column, Descending = q.Sort == column && !q.Descending, Page = 1 });

    /// <summary>aria-sort of a column header (WAI-ARIA 1.2), or null when the list is not sorted on it.</summary>
    public string? AriaSort(UserSort column) =>
        Query.Sort != column ? null : Query.Descending ? "descending" : "ascending";
}
