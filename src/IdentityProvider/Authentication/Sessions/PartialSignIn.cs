using System.Globalization;
using System.Security.Claims;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Authentication;

namespace IdentityProvider.Authentication.Sessions;

/// <summary>Where a sign-in waits between its steps.</summary>
public enum PendingStage
{
    /// <summary>A second factor is due (the code page).</summary>
    SecondFactor,

    /// <summary>Every factor the user has is proven, but the policy requires setting one up first.</summary>
    Enrolment,

    /// <summary>Every factor is proven; an administrator asked for a new passkey.</summary>
    PasskeyRegistration,

    /// <summary>An upstream sign-in waits for the user to prove the local account it will be linked to (the link page).</summary>
    LinkAccount,
}

/// <summary>
/// A sign-in between its steps: who, since when, for which authorization request, what it has
/// proven so far (<see cref="Amr"/>, RFC 8176) and what it waits for.
/// </summary>
public sealed record PendingSignIn(string UserId, DateTimeOffset Since, string? RequestId, IReadOnlyList<string> Amr, PendingStage Stage)
{
    /// <summary>What the upstream provider said, when the sign-in came through one; every later step decides with it.</summary>
    public FederatedSignIn? Federation { get; init; }
}

/// <summary>
/// The state between the steps of a sign-in, in its own short-lived cookie. It is never a
/// session: the protocol sees no user until every step is done. Replaying the cookie buys
/// nothing, because every code guess passes the database attempt gate, and the enrolment steps
/// only let the user add a factor.
/// </summary>
public sealed class PartialSignIn
{
    public const string Scheme = "idp.partial";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private const string RequestClaim = "request";
    private const string StageClaim = "stage";
    private const string ProviderIdClaim = "fed_id";
    private const string ProviderNameClaim = "fed_name";
    private const string RuleClaim = "fed_rule";
    private const string UpstreamMfaClaim = "fed_upstream_mfa";
    private const string LinkingClaim = "fed_linking";
    private const string TicketClaim = "fed_ticket";

    public Task StartAsync(HttpContext http, PendingSignIn pending)
    {
        var claims = new List<Claim>
        {
            new(SessionClaims.Subject, pending.UserId),
            new(SessionClaims.AuthTime, pending.Since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            new(StageClaim, pending.Stage.ToString()),
        };
        if (pending.RequestId is not null)
        {
            claims.Add(new Claim(RequestClaim, pending.RequestId));
        }

        claims.AddRange(pending.Amr.Select(amr => new Claim(SessionClaims.Amr, amr)));
        if (pending.Federation is { } federation)
        {
            claims.Add(new Claim(ProviderNameClaim, federation.Provider));
            claims.Add(new Claim(RuleClaim, federation.Rule.ToString()));
            claims.Add(new Claim(UpstreamMfaClaim, federation.UpstreamShowedMfa ? "true" : "false"));
            claims.Add(new Claim(LinkingClaim, federation.Linking ? "true" : "false"));
            AddIfSet(claims, ProviderIdClaim, federation.ProviderId);
            AddIfSet(claims, TicketClaim, federation.TicketId);
        }

        return http.SignInAsync(Scheme, new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme)));
    }

    public async Task<PendingSignIn?> GetAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(Scheme);
        var principal = result.Principal;
        if (!result.Succeeded || principal?.FindFirst(SessionClaims.Subject)?.Value is not { } userId
            || !long.TryParse(principal.FindFirst(SessionClaims.AuthTime)?.Value, CultureInfo.InvariantCulture, out var since)
            || !Enum.TryParse<PendingStage>(principal.FindFirst(StageClaim)?.Value, out var stage))
        {
            return null;
        }

        return new PendingSignIn(userId, DateTimeOffset.FromUnixTimeSeconds(since), principal.FindFirst(RequestClaim)?.Value,
            [.. principal.FindAll(SessionClaims.Amr).Select(c => c.Value)], stage)
        {
            Federation = ReadFederation(principal),
        };
    }

    private static FederatedSignIn? ReadFederation(ClaimsPrincipal principal)
    {
        if (principal.FindFirst(ProviderNameClaim)?.Value is not { } provider
            || !Enum.TryParse<FederatedMfaRule>(principal.FindFirst(RuleClaim)?.Value, out var rule))
        {
            return null;
        }

        return new FederatedSignIn(provider, rule, principal.FindFirst(UpstreamMfaClaim)?.Value == "true")
        {
            ProviderId = principal.FindFirst(ProviderIdClaim)?.Value,
            Linking = principal.FindFirst(LinkingClaim)?.Value == "true",
            TicketId = principal.FindFirst(TicketClaim)?.Value,
        };
    }

    private static void AddIfSet(List<Claim> claims, string type, string? value)
    {
        if (value is not null)
        {
            claims.Add(new Claim(type, value));
        }
    }

    public Task EndAsync(HttpContext http) => http.SignOutAsync(Scheme);
}
