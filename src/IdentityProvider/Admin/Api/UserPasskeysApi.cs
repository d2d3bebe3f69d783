using IdentityProvider.Admin.Permissions;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>A user's passkeys and passkey request, for administrators (the same services the console uses).</summary>
public static class UserPasskeysApi
{
    public sealed record UserPasskeys(PasskeyRequest? PasskeyRequest, IReadOnlyList<PasskeySummary> Passkeys);

    public static RouteGroupBuilder MapUserPasskeysApi(this RouteGroupBuilder api)
    {
        var user = api.MapGroup("/users/{userId}");
        user.MapGet("/passkeys", ListAsync)
            .WithName("listUserPasskeys")
            .WithSummary("The user's passkeys and pending passkey request.")
            .RequirePermission(AdminPermissions.UsersRead);
        user.MapDelete("/passkeys/{passkeyId}", DeleteAsync)
            .WithName("deleteUserPasskey")
            .WithSummary("Deletes one of the user's passkeys.")
            .RequirePermission(AdminPermissions.UsersManageFactors);
        user.MapPost("/passkey-request", RequestAsync)
            .WithName("requestUserPasskey")
            .WithSummary("Asks the user to register a passkey at the next sign-in; keeps an existing request.")
            .RequirePermission(AdminPermissions.UsersManageFactors);
        user.MapDelete("/passkey-request", CancelRequestAsync)
            .WithName("cancelUserPasskeyRequest")
            .WithSummary("Withdraws the user's pending passkey request.")
            .RequirePermission(AdminPermissions.UsersManageFactors);
        return api;
    }

    public static async Task<Results<Ok<UserPasskeys>, NotFound<ProblemDetails>>> ListAsync(
        string userId, UserManager<ApplicationUser> users, PasskeyManager passkeys, PasskeyRequests requests, CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(userId) is null)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownUser(userId));
        }

        var request = await requests.FindAsync(userId, cancellationToken);
        return TypedResults.Ok(new UserPasskeys(request, await passkeys.ListAsync(userId, cancellationToken)));
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> DeleteAsync(
        string userId, string passkeyId, HttpContext http, UserManager<ApplicationUser> users, PasskeyManager passkeys, CancellationToken cancellationToken)
    {
        if (!PasskeyManager.IsWellFormedId(passkeyId))
        {
            return TypedResults.BadRequest(AdminApiProblems.MalformedPasskeyId());
        }

        if (await users.FindByIdAsync(userId) is null)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownUser(userId));
        }

        return await passkeys.DeleteAsync(userId, passkeyId, AdminApiClaims.ActorOf(http.User), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(AdminApiProblems.UnknownPasskey(passkeyId));
    }

    public static async Task<Results<Ok<PasskeyRequest>, NotFound<ProblemDetails>>> RequestAsync(
        string userId, HttpContext http, UserManager<ApplicationUser> users, PasskeyRequests requests, CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(userId) is null)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownUser(userId));
        }

        return TypedResults.Ok(await requests.RequestAsync(userId, AdminApiClaims.ActorOf(http.User), cancellationToken));
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> CancelRequestAsync(
        string userId, HttpContext http, UserManager<ApplicationUser> users, PasskeyRequests requests, CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(userId) is null)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownUser(userId));
        }

        return await requests.CancelAsync(userId, AdminApiClaims.ActorOf(http.User), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(AdminApiProblems.NoPendingPasskeyRequest());
    }
}
