using IdentityProvider.Admin.Permissions;
using IdentityProvider.Admin.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>The users list, one user, and the account actions (<see cref="UserDirectory"/>, <see cref="UserAccountActions"/>).</summary>
public static class UsersApi
{
    public sealed record UserListItemDto(
        string Id, string Name, string? Email, string? UserName, string? Organisation, IReadOnlyList<string> Roles,
        string LoginMethod, string Mfa, bool MfaRequired, bool Locked, DateTimeOffset? LastSignIn, bool Disabled,
        IReadOnlyList<string> UpstreamProviders);

    public sealed record UserListDto(IReadOnlyList<UserListItemDto> Users, int Page, int PageSize, int Total);

    public sealed record UserDto(
        string Id, string Name, string? UserName, string? Email, bool EmailConfirmed, DateTimeOffset CreatedAt, bool Disabled,
        string? Organisation, IReadOnlyList<string> Roles, string Mfa, bool MfaRequired, int RecoveryCodes, bool Locked,
        DateTimeOffset? LockedUntil, int Passkeys, bool PasskeyRequested);

    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/users", ListAsync)
            .WithName("listUsers")
            .WithSummary("A page of users: search (name, email, username), filters, a sort on every column, 25 per page.")
            .RequirePermission(AdminPermissions.UsersRead);
        api.MapGet("/users/{userId}", GetAsync)
            .WithName("getUser")
            .WithSummary("One user: profile, organisation, roles, second factors, lockout.")
            .RequirePermission(AdminPermissions.UsersRead);
        api.MapDelete("/users/{userId}/mfa", DisableMfaAsync)
            .WithName("disableUserMfa")
            .WithSummary("Removes the user's authenticator app and recovery codes; every administrator is emailed.")
            .RequirePermission(AdminPermissions.UsersManageFactors);
        api.MapPost("/users/{userId}/unlock", UnlockAsync)
            .WithName("unlockUser")
            .WithSummary("Ends the user's lockout and resets their failed sign-in counts.")
            .RequirePermission(AdminPermissions.UsersManageFactors);
        return api;
    }

    /// <param name="mfa">totp, passkeys or none</param>
    /// <param name="sort">name, email, organisation, roles, loginMethod, mfa, mfaRequired, locked or lastSignIn</param>
    /// <param name="dir">asc or desc</param>
    /// <param name="login">password, or an upstream provider's id: only users who sign in that way</param>
    /// <param name="disabled">true or false</param>
    public static async Task<Results<Ok<UserListDto>, BadRequest<ProblemDetails>>> ListAsync(
        UserDirectory directory, CancellationToken cancellationToken,
        string? search = null, string? mfa = null, string? mfaRequired = null, string? organisation = null, string? locked = null,
        string? sort = null, string? dir = null, string? page = null, string? login = null, string? disabled = null)
    {
        // Strings, read by the same parser as the console, so a malformed value is a 400 problem, not the binder's bare 400.
        if (!UserListQuery.TryParse(search, mfa, mfaRequired, organisation, locked, sort, dir, page, out var query, out var problems, login, disabled))
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidQuery(problems));
        }

        var list = await directory.ListAsync(query, cancellationToken);
        return TypedResults.Ok(new UserListDto(
            [.. list.Users.Select(u => new UserListItemDto(u.Id, u.Name, u.Email, u.UserName, u.Organisation, u.Roles,
                UserListQuery.Name(u.LoginMethod), UserListQuery.Name(u.Mfa), u.MfaRequired, u.Locked, u.LastSignIn, u.Disabled,
                u.UpstreamProviders))],
            list.Page, list.PageSize, list.Total));
    }

    public static async Task<Results<Ok<UserDto>, NotFound<ProblemDetails>>> GetAsync(
        string userId, UserDetails details, CancellationToken cancellationToken)
    {
        if (await details.FindAsync(userId, cancellationToken) is not { } user)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownUser(userId));
        }

        return TypedResults.Ok(ToDto(user));
    }

    public static UserDto ToDto(UserDetail user) =>
        new(user.Id, user.Name, user.UserName, user.Email, user.EmailConfirmed, user.CreatedAt, user.Disabled,
            user.Organisation, user.Roles, UserListQuery.Name(user.Mfa), user.MfaRequired, user.RecoveryCodes, user.Locked, user.LockedUntil,
            user.Passkeys.Count, user.PasskeyRequest is not null);

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> DisableMfaAsync(
        string userId, HttpContext http, UserAccountActions actions, CancellationToken cancellationToken)
    {
        var actor = AdminApiClaims.ActorOf(http.User);
        var actorText = actor.StartsWith(AdminApiClaims.ClientActorPrefix, StringComparison.Ordinal)
            ? $"the API client {actor[AdminApiClaims.ClientActorPrefix.Length..]}"
            : await actions.AdministratorTextAsync(actor, cancellationToken);
        return await actions.DisableMfaAsync(userId, actor, actorText, cancellationToken) switch
        {
            DisableMfaOutcome.Disabled => TypedResults.NoContent(),
            DisableMfaOutcome.NothingToDisable => TypedResults.NotFound(AdminApiProblems.NoAuthenticatorApp()),
            _ => TypedResults.NotFound(AdminApiProblems.UnknownUser(userId)),
        };
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> UnlockAsync(
        string userId, HttpContext http, UserAccountActions actions, CancellationToken cancellationToken) =>
        await actions.UnlockAsync(userId, AdminApiClaims.ActorOf(http.User), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(AdminApiProblems.UnknownUser(userId));
}
