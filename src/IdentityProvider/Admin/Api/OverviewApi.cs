using IdentityProvider.Admin.Overview;
using IdentityProvider.Admin.Permissions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IdentityProvider.Admin.Api;

/// <summary>The figures the console's first page draws (<see cref="AdminOverview"/>), for dashboards of one's own.</summary>
public static class OverviewApi
{
    public sealed record AdoptionDto(int Users, int WithAuthenticatorApp, int WithPasskeys, int WithoutSecondFactor);

    public sealed record OrganisationDto(string Id, string Name, int Members, int WithSecondFactor);

    /// <param name="Day">The UTC day, as yyyy-MM-dd.</param>
    /// <param name="PasswordAndCode">Signed in with a password and a second factor other than a passkey.</param>
    public sealed record DayDto(DateOnly Day, int Passkey, int PasswordAndCode, int PasswordOnly, int Total);

    /// <param name="Days">How many UTC days, today included, <paramref name="SignIns"/> covers (oldest first, days without sign-ins included).</param>
    public sealed record OverviewDto(AdoptionDto Users, IReadOnlyList<OrganisationDto> Organisations, int Days, IReadOnlyList<DayDto> SignIns);

    public static RouteGroupBuilder MapOverviewApi(this RouteGroupBuilder api)
    {
        // The console shows the overview to every console user; users.read is the API's least permission
        // that lets one see users, and these are counts of users.
        api.MapGet("/overview", GetAsync)
            .WithName("getOverview")
            .WithSummary("Users by second factor, members with a second factor by organisation, and successful sign-ins per day by method.")
            .RequirePermission(AdminPermissions.UsersRead);
        return api;
    }

    public static async Task<Ok<OverviewDto>> GetAsync(AdminOverview overview, CancellationToken cancellationToken)
    {
        var figures = await overview.GetAsync(cancellationToken);
        var adoption = figures.Adoption;
        return TypedResults.Ok(new OverviewDto(
            new AdoptionDto(adoption.Users, adoption.WithAuthenticatorApp, adoption.WithPasskeys, adoption.WithoutSecondFactor),
            [.. figures.Organisations.Select(o => new OrganisationDto(o.Id, o.Name, o.Members, o.WithSecondFactor))],
            AdminOverview.Days,
            [.. figures.SignIns.Select(d => new DayDto(d.Day, d.Passkey, d.PasswordAndCode, d.PasswordOnly, d.Total))]));
    }
}
