namespace IdentityProvider.Authentication.Sessions;

/// <summary>Claim types inside the session ticket; the same names the tokens use (OIDC Core §2, RFC 8176).</summary>
internal static class SessionClaims
{
    public const string Subject = "sub";
    public const string SessionId = "sid";
    public const string AuthTime = "auth_time";
    public const string Amr = "amr";
    public const string Acr = "acr";
}
