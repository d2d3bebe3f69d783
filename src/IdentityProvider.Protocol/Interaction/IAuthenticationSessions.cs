using Microsoft.AspNetCore.Http;

namespace IdentityProvider.Protocol.Interaction;

/// <summary>
/// The host's sign-in sessions (cookie plus server-side record). The protocol reads them and asks
/// for them to be started or ended; how they are kept is the host's business.
/// </summary>
public interface IAuthenticationSessions
{
    /// <returns>Null when the request carries no valid, unexpired session.</returns>
    Task<AuthenticatedSession?> GetCurrentAsync(HttpContext http);

    /// <summary>Starts a new session (a new session id) for what the user proved.</summary>
    Task<AuthenticatedSession> SignInAsync(HttpContext http, AuthenticationResult result);

    /// <summary>Ends the current session, here and in the store, so no node accepts it again.</summary>
    Task SignOutAsync(HttpContext http);
}
