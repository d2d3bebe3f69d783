namespace IdentityProvider.Protocol.Primitives;

/// <summary>OIDC Core §3.1.2.1 prompt values.</summary>
public static class PromptValues
{
    public const string None = "none";
    public const string Login = "login";
    public const string Consent = "consent";

    /// <summary>Treated as login: this provider shows one account per browser session.</summary>
    public const string SelectAccount = "select_account";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { None, Login, Consent, SelectAccount };
}

/// <summary>OAuth 2.0 Multiple Response Types §2.1 and Form Post Response Mode §2.</summary>
public static class ResponseModes
{
    public const string Query = "query";
    public const string FormPost = "form_post";
}

public static class ResponseTypes
{
    public const string Code = "code";
}

public static class CodeChallengeMethods
{
    public const string S256 = "S256";
}
