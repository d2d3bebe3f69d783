namespace IdentityProvider.Protocol.Primitives;

/// <summary>RFC 6749 §3.3: a space-delimited, case-sensitive list whose order does not matter.</summary>
public static class ScopeParser
{
    public static IReadOnlyList<string> Parse(string? scope) =>
        string.IsNullOrEmpty(scope) ? [] : scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
}

public static class StandardScopes
{
    public const string OpenId = "openid";
    public const string Profile = "profile";
    public const string Email = "email";
    public const string OfflineAccess = "offline_access";
}
