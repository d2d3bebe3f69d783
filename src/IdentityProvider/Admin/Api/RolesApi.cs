using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// Roles (<see cref="RoleDirectory"/>) and who holds them (<see cref="UserRoleAssignment"/>), with the
/// console's permissions: reading needs <c>users.read</c>; every change needs
/// <c>security.manage_settings</c>, since roles carry admin permissions and MFA enforcement.
/// </summary>
public static class RolesApi
{
    public sealed record NewRole(string? Name);

    public sealed record UserRolesUpdate(IReadOnlyList<string>? Roles);

    public sealed record UserRolesDto(string UserId, IReadOnlyList<string> Roles);

    public static RouteGroupBuilder MapRolesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/roles", ListAsync)
            .WithName("listRoles")
            .WithSummary("Every role, by name, with its member count.")
            .RequirePermission(AdminPermissions.UsersRead);
        api.MapGet("/roles/{role}", GetAsync)
            .WithName("getRole")
            .WithSummary("One role.")
            .RequirePermission(AdminPermissions.UsersRead);
        api.MapPost("/roles", CreateAsync)
            .WithName("createRole")
            .WithSummary("Creates a role; names are unique (without case) and contain no spaces.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapDelete("/roles/{role}", DeleteAsync)
            .WithName("deleteRole")
            .WithSummary("Deletes a role without members; never the administrators' role.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapPut("/users/{userId}/roles", SetUserRolesAsync)
            .WithName("setUserRoles")
            .WithSummary("Replaces the user's roles; the last enabled administrator keeps the administrators' role.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        return api;
    }

    public static async Task<Ok<IReadOnlyList<RoleListing>>> ListAsync(RoleDirectory directory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await directory.ListAsync(cancellationToken));

    public static async Task<Results<Ok<RoleListing>, NotFound<ProblemDetails>>> GetAsync(
        string role, RoleDirectory directory, CancellationToken cancellationToken) =>
        await directory.FindAsync(role, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.NotFound(AdminApiProblems.UnknownRole(role));

    public static async Task<Results<Created<RoleListing>, BadRequest<ProblemDetails>, Conflict<ProblemDetails>>> CreateAsync(
        JsonBody<NewRole> json, HttpContext http, RoleDirectory directory, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value?.Name is not { } name)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(["name"]));
        }

        return await directory.CreateAsync(name, AdminApiClaims.ActorOf(http.User), cancellationToken) switch
        {
            RoleChange.Done => TypedResults.Created($"{AdminApi.Prefix}/roles/{Uri.EscapeDataString(name.Trim())}", new RoleListing(name.Trim(), 0)),
            RoleChange.NameTaken => TypedResults.Conflict(AdminApiProblems.RoleExists(name.Trim())),
            _ => TypedResults.BadRequest(AdminApiProblems.InvalidRoleName(RoleDirectory.MaxNameLength)),
        };
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> DeleteAsync(
        string role, HttpContext http, RoleDirectory directory, CancellationToken cancellationToken) =>
        await directory.DeleteAsync(role, AdminApiClaims.ActorOf(http.User), cancellationToken) switch
        {
            RoleChange.Done => TypedResults.NoContent(),
            RoleChange.Protected => TypedResults.Conflict(AdminApiProblems.RoleProtected(Roles.Administrator)),
            RoleChange.HasMembers => TypedResults.Conflict(AdminApiProblems.RoleHasMembers(role)),
            _ => TypedResults.NotFound(AdminApiProblems.UnknownRole(role)),
        };

    public static async Task<Results<Ok<UserRolesDto>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>, Conflict<ProblemDetails>>> SetUserRolesAsync(
        string userId, JsonBody<UserRolesUpdate> json, HttpContext http, UserRoleAssignment assignment, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value?.Roles is not { } roles || roles.Any(r => r is null))
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(["roles"]));
        }

        var result = await assignment.ReplaceAsync(userId, roles, AdminApiClaims.ActorOf(http.User), cancellationToken);
        return result.Outcome switch
        {
            RoleAssignmentOutcome.Done => TypedResults.Ok(new UserRolesDto(userId, result.Roles)),
            RoleAssignmentOutcome.UnknownUser => TypedResults.NotFound(AdminApiProblems.UnknownUser(userId)),
            RoleAssignmentOutcome.UnknownRoles => TypedResults.BadRequest(AdminApiProblems.UnknownRoles(result.Roles)),
            _ => TypedResults.Conflict(AdminApiProblems.LastAdministrator()),
        };
    }
}
