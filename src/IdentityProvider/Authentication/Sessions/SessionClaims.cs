namespace IdentityProvider.Authentication.Sessions;

/// <summary>Claim types inside the session ticket; the same names the tokens use (OIDC Core §2, RFC 8176).</summary>
internal static class SessionClaims
{
    public const string Subject = "sub";
    public const string SessionId = "sid";
    public const string AuthTime = "auth_time";
    public const string Amr = "amr";
    public const string Acr = "acr";

    /// <summary>The upstream provider a federated session signed in through (the name IdentityServer and others use).</summary>
    public const string IdentityProvider = "idp";

    /// <summary>
    /// Item of the session ticket's properties holding the upstream's ID token. The ticket lives in
    /// the database (<see cref="DatabaseTicketStore"/>), protected; the cookie carries only its id.
    /// </summary>
    public const string UpstreamIdTokenItem = "idp.id_token";
}
