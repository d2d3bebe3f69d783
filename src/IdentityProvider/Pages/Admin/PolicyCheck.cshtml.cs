using IdentityProvider.Admin.Clients;
using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Persistence;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Pages.Admin;

public sealed record PolicyCheckUser(string Id, string? UserName, string? Email);

public sealed record PolicyCheckClient(string ClientId, string DisplayName);

/// <summary>
/// "Why was I (not) asked for a code?": what <see cref="Policy.PolicyCheck"/> decides for a user
/// signing in with a password to a client (optionally with <c>acr_values</c>), and its reasons in
/// the order the evaluator weighed them. A GET form, so an answer can be linked to; it changes nothing.
/// </summary>
[AdminPermission(AdminPermissions.UsersRead)]
public sealed class PolicyCheckModel(Policy.PolicyCheck check, ClientManager clients, IdentityProviderDbContext db) : PageModel
{
    public const int MaxMatches = 20;
    public const string NoUserFound = "No user matches.";
    public const string UnknownClient = "This client is not registered.";

    /// <summary>Part of a username or email address; an exact match is checked at once.</summary>
    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }

    [BindProperty(SupportsGet = true)] public string? UserId { get; set; }

    [BindProperty(SupportsGet = true)] public string? ClientId { get; set; }

    /// <summary>Space-separated, as in an authorization request (OIDC Core §3.1.2.1).</summary>
    [BindProperty(SupportsGet = true)] public string? AcrValues { get; set; }

    public IReadOnlyList<PolicyCheckClient> Clients { get; private set; } = [];

    /// <summary>Users matching <see cref="Query"/>, when it named no one exactly.</summary>
    public IReadOnlyList<PolicyCheckUser> Matches { get; private set; } = [];

    public PolicyCheckUser? Checked { get; private set; }

    public MfaDecision? Decision { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Clients = [.. (await clients.ListAsync(cancellationToken)).Select(c => new PolicyCheckClient(c.ClientId, c.DisplayName))];
        Checked = await ChooseUserAsync(cancellationToken);
        if (Checked is null)
        {
            return;
        }

        var acrValues = (AcrValues ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var result = await check.EvaluateAsync(Checked.Id, string.IsNullOrEmpty(ClientId) ? null : ClientId, acrValues, cancellationToken);
        Decision = result.Decision;
        if (!result.ClientFound)
        {
            Error = UnknownClient;
        }
    }

    private async Task<PolicyCheckUser?> ChooseUserAsync(CancellationToken cancellationToken)
    {
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrEmpty(UserId))
        {
            var chosen = await users.Where(u => u.Id == UserId).Select(u => new PolicyCheckUser(u.Id, u.UserName, u.Email)).SingleOrDefaultAsync(cancellationToken);
            Error = chosen is null ? NoUserFound : null;
            return chosen;
        }

        if (string.IsNullOrWhiteSpace(Query))
        {
            return null;
        }

        // Identity's normalised columns: the same case-insensitive match as signing in by username or email.
        var normalised = Query.Trim().ToUpperInvariant();
        var exact = await users.Where(u => u.NormalizedUserName == normalised || u.NormalizedEmail == normalised)
            .Select(u => new PolicyCheckUser(u.Id, u.UserName, u.Email)).Take(2).ToListAsync(cancellationToken);
        if (exact.Count == 1)
        {
            UserId = exact[0].Id;
            return exact[0];
        }

        Matches = await users.Where(u => u.NormalizedUserName!.Contains(normalised) || u.NormalizedEmail!.Contains(normalised))
            .OrderBy(u => u.UserName).Take(MaxMatches)
            .Select(u => new PolicyCheckUser(u.Id, u.UserName, u.Email)).ToListAsync(cancellationToken);
        Error = Matches.Count == 0 ? NoUserFound : null;
        return null;
    }

    /// <summary>The address of this check for another user, keeping the client and acr_values.</summary>
    public string LinkFor(PolicyCheckUser user) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/admin/policy-check", new Dictionary<string, string?>
        {
            ["UserId"] = user.Id,
            ["ClientId"] = ClientId,
            ["AcrValues"] = AcrValues,
        });
}
