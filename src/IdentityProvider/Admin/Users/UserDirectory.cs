using System.Linq.Expressions;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Users;

/// <summary>One line of the users list.</summary>
public sealed record UserListItem(
    string Id,
    string Name,
    string? Email,
    string? UserName,
    string? Organisation,
    IReadOnlyList<string> Roles,
    LoginMethod LoginMethod,
    MfaStatus Mfa,
    bool MfaRequired,
    bool Locked,
    DateTimeOffset? LastSignIn,
    bool Disabled = false)
{
    /// <summary>Display names of the upstream providers the user signs in through (their external logins).</summary>
    public IReadOnlyList<string> UpstreamProviders { get; init; } = [];
}

public sealed record UserListPage(IReadOnlyList<UserListItem> Users, int Page, int PageSize, int Total)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// The users list, for the console and the admin API alike: search, filters, a sort on every
/// column and stable paging, all in the database, so a page costs the same with ten users or ten thousand.
/// </summary>
public sealed class UserDirectory(IdentityProviderDbContext db, TimeProvider time)
{
    /// <summary>What a row is sorted and filtered on, computed by the database.</summary>
    private sealed class Row
    {
        public required string Id { get; init; }
        public string? Name { get; init; }
        public string? Email { get; init; }
        public string? UserName { get; init; }
        public string? OrganisationId { get; init; }
        public string? Organisation { get; init; }
        public string? FirstRole { get; init; }
        public bool HasPassword { get; init; }
        public bool HasTotp { get; init; }
        public bool HasPasskeys { get; init; }

        /// <summary>0 none, 1 authenticator app, 2 passkeys, 3 both: the MFA column's sort order.</summary>
        public int MfaRank { get; init; }
        public bool MfaRequired { get; init; }
        public bool Locked { get; init; }
        public bool Disabled { get; init; }
        public DateTimeOffset? LastSignIn { get; init; }
    }

    public async Task<UserListPage> ListAsync(UserListQuery query, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = Filter(db, db.Users.AsNoTracking().Select(u => new Row
        {
            Id = u.Id,
            Name = u.DisplayName ?? u.UserName,
            Email = u.Email,
            UserName = u.UserName,
            OrganisationId = db.OrganisationMembers.Where(m => m.UserId == u.Id).Select(m => m.OrganisationId).FirstOrDefault(),
            Organisation = db.OrganisationMembers.Where(m => m.UserId == u.Id)
                .Join(db.Organisations, m => m.OrganisationId, o => o.Id, (_, o) => o.Name).FirstOrDefault(),
            FirstRole = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name).Min(),
            HasPassword = u.PasswordHash != null,
            HasTotp = db.UserTotpSecrets.Any(s => s.UserId == u.Id && s.ActivatedAt != null),
            HasPasskeys = db.UserPasskeys.Any(p => p.UserId == u.Id),
            MfaRank = (db.UserTotpSecrets.Any(s => s.UserId == u.Id && s.ActivatedAt != null) ? 1 : 0)
                + (db.UserPasskeys.Any(p => p.UserId == u.Id) ? 2 : 0),
            MfaRequired = u.MfaRequired,
            Locked = u.LockoutEnd != null && u.LockoutEnd > now,
            Disabled = u.DisabledAt != null,
            LastSignIn = db.AuditEvents.Where(e => e.Action == AuditActions.SignInSucceeded && e.TargetType == "user" && e.TargetId == u.Id)
                .Max(e => (DateTimeOffset?)e.OccurredAt),
        }), query);

        var total = await rows.CountAsync(cancellationToken);
        var page = await Sort(rows, query)
            .Skip((query.Page - 1) * UserListQuery.PageSize)
            .Take(UserListQuery.PageSize)
            .ToListAsync(cancellationToken);
        var ids = page.Select(r => r.Id).ToList();
        var roles = (await db.UserRoles.Where(r => ids.Contains(r.UserId))
                .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
                .ToListAsync(cancellationToken))
            .ToLookup(r => r.UserId, r => r.Name!);
        var upstreams = await UpstreamProvidersAsync(ids, cancellationToken);
        var users = page.Select(r => new UserListItem(r.Id, r.Name ?? r.Id, r.Email, r.UserName, r.Organisation,
            [.. roles[r.Id].Order(StringComparer.Ordinal)],
            r.HasPassword ? LoginMethod.Password : LoginMethod.Passwordless,
            StatusOf(r.HasTotp, r.HasPasskeys), r.MfaRequired, r.Locked, r.LastSignIn, r.Disabled)
        {
            UpstreamProviders = [.. upstreams[r.Id]],
        }).ToList();
        return new UserListPage(users, query.Page, UserListQuery.PageSize, total);
    }

    /// <summary>
    /// Display names of the users' upstream providers, as recorded when each login was added
    /// (the provider's id when none was), in name order.
    /// </summary>
    public async Task<ILookup<string, string>> UpstreamProvidersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        (await db.UserLogins.AsNoTracking().Where(l => userIds.Contains(l.UserId))
            .Select(l => new { l.UserId, Name = l.ProviderDisplayName ?? l.LoginProvider })
            .ToListAsync(cancellationToken))
        .OrderBy(l => l.Name, StringComparer.Ordinal)
        .ToLookup(l => l.UserId, l => l.Name);

    public static MfaStatus StatusOf(bool hasTotp, bool hasPasskeys) => (hasTotp, hasPasskeys) switch
    {
        (true, true) => MfaStatus.AuthenticatorAppAndPasskeys,
        (true, false) => MfaStatus.AuthenticatorApp,
        (false, true) => MfaStatus.Passkeys,
        _ => MfaStatus.None,
    };

    private static IQueryable<Row> Filter(IdentityProviderDbContext db, IQueryable<Row> rows, UserListQuery query)
    {
        if (query.Search is { } search)
        {
            // Upper-cased on both sides: SQLite's instr and PostgreSQL's strpos are case-sensitive.
            var upper = search.ToUpperInvariant();
            rows = rows.Where(r => (r.Name != null && r.Name.ToUpper().Contains(upper))
                || (r.Email != null && r.Email.ToUpper().Contains(upper))
                || (r.UserName != null && r.UserName.ToUpper().Contains(upper)));
        }

        rows = query.Mfa switch
        {
            MfaFilter.Totp => rows.Where(r => r.HasTotp),
            MfaFilter.Passkeys => rows.Where(r => r.HasPasskeys),
            MfaFilter.None => rows.Where(r => !r.HasTotp && !r.HasPasskeys),
            _ => rows,
        };
        if (query.MfaRequired is { } required)
        {
            rows = rows.Where(r => r.MfaRequired == required);
        }

        if (query.OrganisationId is { } organisation)
        {
            rows = rows.Where(r => r.OrganisationId == organisation);
        }

        if (query.Locked is { } locked)
        {
            rows = rows.Where(r => r.Locked == locked);
        }

        if (query.Login == UserListQuery.PasswordLogin)
        {
            rows = rows.Where(r => r.HasPassword);
        }
        else if (query.Login is { } provider)
        {
            rows = rows.Where(r => db.UserLogins.Any(l => l.UserId == r.Id && l.LoginProvider == provider));
        }

        if (query.Disabled is { } disabled)
        {
            rows = rows.Where(r => r.Disabled == disabled);
        }

        return rows;
    }

    private static IQueryable<Row> Sort(IQueryable<Row> rows, UserListQuery query)
    {
        var sorted = query.Sort switch
        {
            UserSort.Email => By(rows, r => r.Email, query.Descending),
            UserSort.Organisation => By(rows, r => r.Organisation, query.Descending),
            UserSort.Roles => By(rows, r => r.FirstRole, query.Descending),
            UserSort.LoginMethod => By(rows, r => r.HasPassword, query.Descending),
            UserSort.Mfa => By(rows, r => r.MfaRank, query.Descending),
            UserSort.MfaRequired => By(rows, r => r.MfaRequired, query.Descending),
            UserSort.Locked => By(rows, r => r.Locked, query.Descending),
            UserSort.LastSignIn => By(rows, r => r.LastSignIn, query.Descending),
            _ => By(rows, r => r.Name, query.Descending),
        };

        // Ties broken by name, then by id: the same query always pages the same way.
        return sorted.ThenBy(r => r.Name).ThenBy(r => r.Id);
    }

    private static IOrderedQueryable<Row> By<TKey>(IQueryable<Row> rows, Expression<Func<Row, TKey>> key, bool descending) =>
        descending ? rows.OrderByDescending(key) : rows.OrderBy(key);
}
