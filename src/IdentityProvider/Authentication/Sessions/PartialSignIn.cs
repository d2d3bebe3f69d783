using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace IdentityProvider.Authentication.Sessions;

/// <summary>
/// A sign-in between its steps: who, since when, for which authorization request. While
/// <see cref="ProvenAmr"/> is null a second factor is due; once set, every factor has been
/// proven and only a required enrolment (e.g. a passkey an administrator asked for) remains.
/// </summary>
public sealed record PendingSignIn(string UserId, DateTimeOffset FirstFactorAt, string? RequestId, IReadOnlyList<string>? ProvenAmr = null)
{
    public bool FactorsComplete => ProvenAmr is not null;
}

/// <summary>
/// The state between the steps of a sign-in, in its own short-lived cookie. It is never a
/// session: the protocol sees no user until every step is done. Replaying the cookie buys
/// nothing, because every code guess passes the database attempt gate, and the enrolment step
/// only lets the user add a factor.
/// </summary>
public sealed class PartialSignIn
{
    public const string Scheme = "idp.partial";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public Task StartAsync(HttpContext http, PendingSignIn pending)
    {
        var claims = new List<Claim>
        {
            new(SessionClaims.Subject, pending.UserId),
            new(SessionClaims.AuthTime, pending.FirstFactorAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        };
        if (pending.RequestId is not null)
        {
            claims.Add(new Claim("request", pending.RequestId));
        }

        if (pending.ProvenAmr is not null)
        {
            claims.Add(new Claim("factors_complete", "true"));
            claims.AddRange(pending.ProvenAmr.Select(amr => new Claim(SessionClaims.Amr, amr)));
        }

        return http.SignInAsync(Scheme, new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme)));
    }

    public async Task<PendingSignIn?> GetAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(Scheme);
        var principal = result.Principal;
        if (!result.Succeeded || principal?.FindFirst(SessionClaims.Subject)?.Value is not { } userId
            || !long.TryParse(principal.FindFirst(SessionClaims.AuthTime)?.Value, CultureInfo.InvariantCulture, out var verifiedAt))
        {
            return null;
        }

        var proven = principal.HasClaim("factors_complete", "true")
            ? principal.FindAll(SessionClaims.Amr).Select(c => c.Value).ToList()
            : null;
        return new PendingSignIn(userId, DateTimeOffset.FromUnixTimeSeconds(verifiedAt), principal.FindFirst("request")?.Value, proven);
    }

    public Task EndAsync(HttpContext http) => http.SignOutAsync(Scheme);
}
