using System.Text.Json;

namespace IdentityProvider.Admin.Users;

/// <summary>Which second factors a user has set up, as the users list shows and filters them.</summary>
public enum MfaStatus
{
    None,
    AuthenticatorApp,
    Passkeys,
    AuthenticatorAppAndPasskeys,
}

/// <summary>The users list's MFA filter: "totp" and "passkeys" include users who have both.</summary>
public enum MfaFilter
{
    Totp,
    Passkeys,
    None,
}

/// <summary>
/// Whether a user has a password. Users who sign in through upstream providers are shown with
/// those providers as well (<see cref="UserListItem.UpstreamProviders"/>); a federated user
/// without a password is <see cref="Passwordless"/>.
/// </summary>
public enum LoginMethod
{
    Password,
    Passwordless,
}

public enum UserSort
{
    Name,
    Email,
    Organisation,
    Roles,
    LoginMethod,
    Mfa,
    MfaRequired,
    Locked,
    LastSignIn,
}

/// <summary>
/// One request for a page of the users list. The console and the admin API read the same query
/// string through <see cref="TryParse"/>, so <c>?sort=mfa&amp;dir=desc</c> means the same in both.
/// </summary>
public sealed record UserListQuery(
    string? Search = null,
    MfaFilter? Mfa = null,
    bool? MfaRequired = null,
    string? OrganisationId = null,
    bool? Locked = null,
    UserSort Sort = UserSort.Name,
    bool Descending = false,
    int Page = 1,
    bool? Disabled = null)
{
    public const int PageSize = 25;

    /// <summary>The login-method filter's value for users with a password; any other value is an upstream provider's id.</summary>
    public const string PasswordLogin = "password";

    /// <summary>
    /// Only users with a password (<see cref="PasswordLogin"/>), or only users linked to the upstream
    /// provider with this id; null for all.
    /// </summary>
    public string? Login { get; init; }

    /// <summary>Longer searches are refused rather than cut: no name or address in the store is this long.</summary>
    public const int MaxSearchLength = 256;

    /// <summary>Reads the query string's values; each value it cannot read is one problem, and nothing is defaulted over it.</summary>
    /// <param name="login"><see cref="PasswordLogin"/> or an upstream provider's id (at most 100 characters).</param>
    public static bool TryParse(
        string? search, string? mfa, string? mfaRequired, string? organisation, string? locked, string? sort, string? dir, string? page,
        out UserListQuery query, out IReadOnlyList<string> problems, string? login = null, string? disabled = null)
    {
        var found = new List<string>();
        var parsed = new UserListQuery(Search: string.IsNullOrWhiteSpace(search) ? null : search.Trim(),
            OrganisationId: string.IsNullOrWhiteSpace(organisation) ? null : organisation);
        if (parsed.Search is { Length: > MaxSearchLength })
        {
            found.Add($"'search' is at most {MaxSearchLength} characters.");
        }

        if (!string.IsNullOrEmpty(mfa))
        {
            parsed = TryName<MfaFilter>(mfa, out var value) ? parsed with { Mfa = value } : Problem(parsed, found, "mfa", Names<MfaFilter>());
        }

        if (!string.IsNullOrEmpty(mfaRequired))
        {
            parsed = bool.TryParse(mfaRequired, out var value) ? parsed with { MfaRequired = value } : Problem(parsed, found, "mfaRequired", ["true", "false"]);
        }

        if (!string.IsNullOrEmpty(locked))
        {
            parsed = bool.TryParse(locked, out var value) ? parsed with { Locked = value } : Problem(parsed, found, "locked", ["true", "false"]);
        }

        if (!string.IsNullOrEmpty(disabled))
        {
            parsed = bool.TryParse(disabled, out var value) ? parsed with { Disabled = value } : Problem(parsed, found, "disabled", ["true", "false"]);
        }

        if (!string.IsNullOrEmpty(sort))
        {
            parsed = TryName<UserSort>(sort, out var value) ? parsed with { Sort = value } : Problem(parsed, found, "sort", Names<UserSort>());
        }

        if (!string.IsNullOrEmpty(dir))
        {
            parsed = dir is "asc" or "desc" ? parsed with { Descending = dir == "desc" } : Problem(parsed, found, "dir", ["asc", "desc"]);
        }

        if (!string.IsNullOrEmpty(page))
        {
            if (int.TryParse(page, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number >= 1)
            {
                parsed = parsed with { Page = number };
            }
            else
            {
                found.Add("'page' is a whole number from 1.");
            }
        }

        if (!string.IsNullOrEmpty(login))
        {
            if (login.Length <= 100)
            {
                parsed = parsed with { Login = login };
            }
            else
            {
                found.Add("'login' is 'password' or an upstream provider's id.");
            }
        }

        query = parsed;
        problems = found;
        return found.Count == 0;
    }

    /// <summary>The camelCase name the query string uses for <paramref name="value"/> (<c>lastSignIn</c>).</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static IReadOnlyList<string> Names<T>() where T : struct, Enum => [.. Enum.GetValues<T>().Select(Name)];

    private static bool TryName<T>(string name, out T value) where T : struct, Enum
    {
        // Exact names only: Enum.TryParse would also take "1" or "Name, Email".
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Name(candidate), name, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static UserListQuery Problem(UserListQuery query, List<string> problems, string parameter, IReadOnlyList<string> allowed)
    {
        problems.Add($"'{parameter}' is one of {string.Join(", ", allowed)}.");
        return query;
    }
}
