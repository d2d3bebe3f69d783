using IdentityProvider.Admin.Permissions;
using IdentityProvider.Admin.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>Creating, editing, disabling and enabling users and emailing password resets (<see cref="UserAccountChanges"/>).</summary>
public static class UserAccountsApi
{
    /// <param name="OrganisationId">Null: in no organisation.</param>
    /// <param name="Roles">Names of existing roles.</param>
    public sealed record NewUser(string? Email, string? DisplayName, string? OrganisationId, IReadOnlyList<string>? Roles, bool? MfaRequired);

    /// <summary>Replaces the user's profile: every member is set (a missing displayName or organisationId clears it).</summary>
    public sealed record UserUpdate(string? Email, string? DisplayName, string? OrganisationId, IReadOnlyList<string>? Roles);

    public static RouteGroupBuilder MapUserAccountsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/users", CreateAsync)
            .WithName("createUser")
            .WithSummary("Creates a user without a password and emails them a single-use link to set one.")
            .RequirePermission(AdminPermissions.UsersManage);
        api.MapPut("/users/{userId}", UpdateAsync)
            .WithName("updateUser")
            .WithSummary("Sets the user's email, display name, roles and organisation. A new email address is unconfirmed until the user proves it.")
            .RequirePermission(AdminPermissions.UsersManage);
        api.MapPost("/users/{userId}/disable", DisableAsync)
            .WithName("disableUser")
            .WithSummary("Disables the user: no sign-in, and every session and refresh token ends now.")
            .RequirePermission(AdminPermissions.UsersManage);
        api.MapPost("/users/{userId}/enable", EnableAsync)
            .WithName("enableUser")
            .WithSummary("Lets a disabled user sign in again.")
            .RequirePermission(AdminPermissions.UsersManage);
        api.MapPost("/users/{userId}/password-reset", SendPasswordResetAsync)
            .WithName("sendUserPasswordReset")
            .WithSummary("Emails the user a single-use link to set a new password.")
            .RequirePermission(AdminPermissions.UsersManage);
        return api;
    }

    public static async Task<Results<Created<UsersApi.UserDto>, BadRequest<ProblemDetails>>> CreateAsync(
        JsonBody<NewUser> json, HttpContext http, UserAccountChanges changes, UserDetails details, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value is not { } body)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(["email"]));
        }

        var result = await changes.CreateAsync(new UserAccountInput(body.Email, body.DisplayName, body.OrganisationId, body.Roles, body.MfaRequired ?? false),
            AdminApiClaims.ActorOf(http.User), cancellationToken);
        if (result.Outcome != UserAccountOutcome.Done)
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidUser(result.Errors!));
        }

        var user = (await details.FindAsync(result.UserId!, cancellationToken))!;
        return TypedResults.Created($"{AdminApi.Prefix}/users/{Uri.EscapeDataString(user.Id)}", UsersApi.ToDto(user));
    }

    public static async Task<Results<Ok<UsersApi.UserDto>, BadRequest<ProblemDetails>, NotFound<ProblemDetails>>> UpdateAsync(
        string userId, JsonBody<UserUpdate> json, HttpContext http, UserAccountChanges changes, UserDetails details, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        // A PUT replaces the profile: without these two, nothing is defaulted over what is stored.
        var missing = new List<string>();
        if (json.Value?.Email is null)
        {
            missing.Add("email");
        }

        if (json.Value?.Roles is null)
        {
            missing.Add("roles");
        }

        if (missing.Count > 0)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(missing));
        }

        var body = json.Value!;
        var result = await changes.UpdateAsync(userId, new UserAccountInput(body.Email, body.DisplayName, body.OrganisationId, body.Roles),
            AdminApiClaims.ActorOf(http.User), cancellationToken);
        return result.Outcome switch
        {
            UserAccountOutcome.Done => TypedResults.Ok(UsersApi.ToDto((await details.FindAsync(userId, cancellationToken))!)),
            UserAccountOutcome.UnknownUser => TypedResults.NotFound(AdminApiProblems.UnknownUser(userId)),
            _ => TypedResults.BadRequest(AdminApiProblems.InvalidUser(result.Errors ?? new Dictionary<string, string[]> { ["roles"] = [UserAccountChanges.LastAdministratorRole] })),
        };
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> DisableAsync(
        string userId, HttpContext http, UserAccountChanges changes, CancellationToken cancellationToken) =>
        (await changes.DisableAsync(userId, AdminApiClaims.ActorOf(http.User), cancellationToken)).Outcome switch
        {
            UserAccountOutcome.Done => TypedResults.NoContent(),
            UserAccountOutcome.Self => TypedResults.Conflict(AdminApiProblems.CannotDisableSelf()),
            UserAccountOutcome.LastAdministrator => TypedResults.Conflict(AdminApiProblems.LastAdministrator()),
            _ => TypedResults.NotFound(AdminApiProblems.UnknownUser(userId)),
        };

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> EnableAsync(
        string userId, HttpContext http, UserAccountChanges changes, CancellationToken cancellationToken) =>
        (await changes.EnableAsync(userId, AdminApiClaims.ActorOf(http.User), cancellationToken)).Outcome == UserAccountOutcome.Done
            ? TypedResults.NoContent()
            : TypedResults.NotFound(AdminApiProblems.UnknownUser(userId));

    public static async Task<Results<NoContent, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> SendPasswordResetAsync(
        string userId, HttpContext http, UserAccountChanges changes, CancellationToken cancellationToken)
    {
        var result = await changes.SendPasswordResetAsync(userId, AdminApiClaims.ActorOf(http.User), cancellationToken);
        return result.Outcome switch
        {
            UserAccountOutcome.Done => TypedResults.NoContent(),
            UserAccountOutcome.UnknownUser => TypedResults.NotFound(AdminApiProblems.UnknownUser(userId)),
            _ => TypedResults.BadRequest(AdminApiProblems.InvalidUser(result.Errors!)),
        };
    }
}
