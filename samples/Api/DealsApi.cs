using Microsoft.AspNetCore.Http.HttpResults;

namespace Samples.Api;

/// <summary>The API the CRM calls with the signed-in user's access token.</summary>
public static class DealsApi
{
    private static readonly Deal[] Deals =
    [
        new(1, "Contoso", "Fleet renewal", 120_000m, "Negotiation"),
        new(2, "Fabrikam", "Support contract", 45_000m, "Proposal"),
        new(3, "Northwind Traders", "Warehouse pilot", 18_500m, "Qualified"),
    ];

    public static IEndpointRouteBuilder MapDealsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("").RequireAuthorization(AccessTokenValidation.DealsReadPolicy);
        api.MapGet("/me", Me);
        api.MapGet("/deals", () => TypedResults.Ok(Deals));
        return endpoints;
    }

    // The caller as the token describes it: the user (sub), the client it came through, the
    // scopes granted, and how the user signed in (RFC 9068 §2.2.1 auth_time, acr, amr).
    private static Ok<Dictionary<string, string[]>> Me(HttpContext http) =>
        TypedResults.Ok(http.User.Claims
            .GroupBy(claim => claim.Type)
            .ToDictionary(group => group.Key, group => group.Select(claim => claim.Value).ToArray()));
}

public sealed record Deal(int Id, string Account, string Title, decimal Amount, string Stage);
