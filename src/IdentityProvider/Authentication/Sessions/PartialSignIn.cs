using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace IdentityProvider.Authentication.Sessions;

/// <summary>The password was right and a second factor is due: who, since when, for which authorization request.</summary>
public sealed record PendingSecondFactor(string UserId, DateTimeOffset PasswordVerifiedAt, string? RequestId);

/// <summary>
/// The state between the password and the second factor, in its own short-lived cookie. It is
/// never a session: the protocol sees no user until the second factor is done. Replaying the
/// cookie buys nothing, because every code guess passes the database attempt gate.
/// </summary>
public sealed class PartialSignIn
{
    public const string Scheme = "idp.partial";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public Task StartAsync(HttpContext http, PendingSecondFactor pending)
    {
        var claims = new List<Claim>
        {
            new(SessionClaims.Subject, pending.UserId),
            new(SessionClaims.AuthTime, pending.PasswordVerifiedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        };
        if (pending.RequestId is not null)
        {
            claims.Add(new Claim("request", pending.RequestId));
        }

        return http.SignInAsync(Scheme, new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme)));
    }

    public async Task<PendingSecondFactor?> GetAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(Scheme);
        var principal = result.Principal;
        if (!result.Succeeded || principal?.FindFirst(SessionClaims.Subject)?.Value is not { } userId
            || !long.TryParse(principal.FindFirst(SessionClaims.AuthTime)?.Value, CultureInfo.InvariantCulture, out var verifiedAt))
        {
            return null;
        }

        return new PendingSecondFactor(userId, DateTimeOffset.FromUnixTimeSeconds(verifiedAt), principal.FindFirst("request")?.Value);
    }

    public Task EndAsync(HttpContext http) => http.SignOutAsync(Scheme);
}
