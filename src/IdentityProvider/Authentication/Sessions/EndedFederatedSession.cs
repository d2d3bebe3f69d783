namespace IdentityProvider.Authentication.Sessions;

/// <summary>
/// The upstream provider and ID token of a federated session that this request signed out. They
/// live in the session ticket, which signing out deletes, so they are read just before and kept
/// for the rest of the request only: the signed-out page offers the upstream's sign-out with them.
/// </summary>
public sealed record EndedFederatedSession(string ProviderId, string IdToken)
{
    private const string Key = "federation.ended-session";

    public static EndedFederatedSession? Of(HttpContext http) => http.Items.TryGetValue(Key, out var value) ? value as EndedFederatedSession : null;

    internal void Keep(HttpContext http) => http.Items[Key] = this;
}
