using IdentityProvider.Admin.Permissions;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>A user's "MFA required" flag (<see cref="UserMfaRequirement"/>).</summary>
public static class UserMfaRequirementApi
{
    public sealed record MfaRequiredUpdate(bool? Required);

    public static RouteGroupBuilder MapUserMfaRequirementApi(this RouteGroupBuilder api)
    {
        api.MapPut("/users/{userId}/mfa-required", SetAsync)
            .WithName("setUserMfaRequired")
            .WithSummary("Sets or clears \"MFA required\" on the user: set, the user must set up a factor at the next sign-in.")
            .RequirePermission(AdminPermissions.UsersManageFactors);
        return api;
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> SetAsync(
        string userId, JsonBody<MfaRequiredUpdate> json, HttpContext http, UserMfaRequirement requirement, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value?.Required is not { } required)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(["required"]));
        }

        return await requirement.SetAsync(userId, required, AdminApiClaims.ActorOf(http.User), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(AdminApiProblems.UnknownUser(userId));
    }
}
