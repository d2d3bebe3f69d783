using System.Globalization;
using System.Security.Claims;
using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Authentication;

namespace IdentityProvider.Authentication.Sessions;

/// <summary>The protocol's view of sign-in sessions, over the cookie scheme and its database ticket store.</summary>
public sealed class CookieAuthenticationSessions : IAuthenticationSessions
{
    public async Task<AuthenticatedSession?> GetCurrentAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(SessionOptions.Scheme);
        return result.Succeeded ? Read(result.Principal) : null;
    }

    public async Task<AuthenticatedSession> SignInAsync(HttpContext http, AuthenticationResult result)
    {
        // A new session id on every sign-in: the cookie handler removes the previous session, so
        // an id planted before sign-in is worthless afterwards (session fixation).
        var session = new AuthenticatedSession(OpaqueTokens.New()[..22], result.Subject, result.AuthTime, result.Amr, result.Acr)
        {
            IdentityProvider = result.IdentityProvider,
        };
        var claims = new List<Claim>
        {
            new(SessionClaims.Subject, session.Subject),
            new(SessionClaims.SessionId, session.SessionId),
            new(SessionClaims.AuthTime, session.AuthTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        };
        claims.AddRange(session.Amr.Select(amr => new Claim(SessionClaims.Amr, amr)));
        if (session.Acr is not null)
        {
            claims.Add(new Claim(SessionClaims.Acr, session.Acr));
        }

        var properties = new AuthenticationProperties();
        if (session.IdentityProvider is { } provider)
        {
            claims.Add(new Claim(SessionClaims.IdentityProvider, provider));
            var idToken = result.UpstreamIdToken ?? await UpstreamIdTokenOfCurrentAsync(http, session.Subject, provider);
            if (idToken is not null)
            {
                properties.Items[SessionClaims.UpstreamIdTokenItem] = idToken;
            }
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SessionOptions.Scheme, SessionClaims.Subject, null));
        await http.SignInAsync(SessionOptions.Scheme, principal, properties);
        return session;
    }

    public async Task SignOutAsync(HttpContext http)
    {
        // Signing out deletes the ticket that holds the upstream's ID token, which the signed-out
        // page needs as id_token_hint for the upstream's sign-out (OIDC RP-Initiated Logout 1.0
        // §2): read it first, for the rest of this request only.
        var current = await http.AuthenticateAsync(SessionOptions.Scheme);
        if (current.Succeeded
            && current.Principal?.FindFirst(SessionClaims.IdentityProvider)?.Value is { } provider
            && current.Properties?.GetString(SessionClaims.UpstreamIdTokenItem) is { } idToken)
        {
            new EndedFederatedSession(provider, idToken).Keep(http);
        }

        await http.SignOutAsync(SessionOptions.Scheme);
    }

    // A step-up replaces the session with a new one: the upstream's ID token moves over with it.
    private static async Task<string?> UpstreamIdTokenOfCurrentAsync(HttpContext http, string subject, string provider)
    {
        var current = await http.AuthenticateAsync(SessionOptions.Scheme);
        return current.Succeeded && current.Principal?.FindFirst(SessionClaims.Subject)?.Value == subject
            && current.Principal.FindFirst(SessionClaims.IdentityProvider)?.Value == provider
                ? current.Properties?.GetString(SessionClaims.UpstreamIdTokenItem)
                : null;
    }

    private static AuthenticatedSession? Read(ClaimsPrincipal principal)
    {
        var subject = principal.FindFirst(SessionClaims.Subject)?.Value;
        var sessionId = principal.FindFirst(SessionClaims.SessionId)?.Value;
        if (subject is null || sessionId is null
            || !long.TryParse(principal.FindFirst(SessionClaims.AuthTime)?.Value, CultureInfo.InvariantCulture, out var authTime))
        {
            return null;
        }

        return new AuthenticatedSession(sessionId, subject, DateTimeOffset.FromUnixTimeSeconds(authTime),
            principal.FindAll(SessionClaims.Amr).Select(c => c.Value).ToList(), principal.FindFirst(SessionClaims.Acr)?.Value)
        {
            IdentityProvider = principal.FindFirst(SessionClaims.IdentityProvider)?.Value,
        };
    }
}
