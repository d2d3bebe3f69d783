using IdentityProvider.Admin.Permissions;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// Organisations, their "require MFA" switch and who belongs to them (<see cref="OrganisationDirectory"/>).
/// Reading needs <c>users.read</c>; every change needs <c>security.manage_settings</c>, since each one can
/// change who is asked for a second factor.
/// </summary>
public static class OrganisationsApi
{
    public sealed record NewOrganisation(string? Name, bool? RequireMfa);

    public sealed record RequireMfaUpdate(bool? RequireMfa);

    /// <param name="OrganisationId">Null takes the user out of every organisation.</param>
    public sealed record MembershipUpdate(string? OrganisationId);

    public static RouteGroupBuilder MapOrganisationsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/organisations", ListAsync)
            .WithName("listOrganisations")
            .WithSummary("Every organisation, by name, with its member count.")
            .RequirePermission(AdminPermissions.UsersRead);
        api.MapPost("/organisations", CreateAsync)
            .WithName("createOrganisation")
            .WithSummary("Creates an organisation; names are unique.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapGet("/organisations/{organisationId}", GetAsync)
            .WithName("getOrganisation")
            .WithSummary("One organisation.")
            .RequirePermission(AdminPermissions.UsersRead);
        api.MapDelete("/organisations/{organisationId}", DeleteAsync)
            .WithName("deleteOrganisation")
            .WithSummary("Deletes an organisation; its members leave it and keep their factors.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapPut("/organisations/{organisationId}/require-mfa", SetRequireMfaAsync)
            .WithName("setOrganisationRequireMfa")
            .WithSummary("Turns \"require MFA\" on or off for every member.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapPut("/users/{userId}/organisation", SetMembershipAsync)
            .WithName("setUserOrganisation")
            .WithSummary("Puts the user in an organisation (a user belongs to at most one), or in none with null.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        return api;
    }

    public static async Task<Ok<IReadOnlyList<OrganisationSummary>>> ListAsync(OrganisationDirectory directory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await directory.ListAsync(cancellationToken));

    public static async Task<Results<Ok<OrganisationSummary>, NotFound<ProblemDetails>>> GetAsync(
        string organisationId, OrganisationDirectory directory, CancellationToken cancellationToken) =>
        await directory.FindAsync(organisationId, cancellationToken) is { } organisation
            ? TypedResults.Ok(organisation)
            : TypedResults.NotFound(AdminApiProblems.UnknownOrganisation(organisationId));

    public static async Task<Results<Created<OrganisationSummary>, BadRequest<ProblemDetails>, Conflict<ProblemDetails>>> CreateAsync(
        JsonBody<NewOrganisation> json, HttpContext http, OrganisationDirectory directory, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value is not { Name: { } name } body || !OrganisationDirectory.IsUsableName(name))
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidOrganisationName(OrganisationDirectory.MaxNameLength));
        }

        // The name is usable, so the directory refuses it only because it is taken (possibly by a concurrent request).
        var created = await directory.CreateAsync(name, body.RequireMfa ?? false, AdminApiClaims.ActorOf(http.User), cancellationToken);
        return created is null
            ? TypedResults.Conflict(AdminApiProblems.OrganisationNameTaken(name.Trim()))
            : TypedResults.Created($"{AdminApi.Prefix}/organisations/{Uri.EscapeDataString(created.Id)}", created);
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> DeleteAsync(
        string organisationId, HttpContext http, OrganisationDirectory directory, CancellationToken cancellationToken) =>
        await directory.DeleteAsync(organisationId, AdminApiClaims.ActorOf(http.User), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(AdminApiProblems.UnknownOrganisation(organisationId));

    public static async Task<Results<NoContent, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> SetRequireMfaAsync(
        string organisationId, JsonBody<RequireMfaUpdate> json, HttpContext http, OrganisationDirectory directory, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value?.RequireMfa is not { } requireMfa)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(["requireMfa"]));
        }

        return await directory.SetRequireMfaAsync(organisationId, requireMfa, AdminApiClaims.ActorOf(http.User), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(AdminApiProblems.UnknownOrganisation(organisationId));
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> SetMembershipAsync(
        string userId, JsonBody<MembershipUpdate> json, HttpContext http, UserManager<ApplicationUser> users, OrganisationDirectory directory,
        CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value is not { } body)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(["organisationId"]));
        }

        // Checked one by one, for a 404 that names what is unknown; the directory checks both again.
        if (await users.FindByIdAsync(userId) is null)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownUser(userId));
        }

        if (body.OrganisationId is { } organisationId && await directory.FindAsync(organisationId, cancellationToken) is null)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownOrganisation(organisationId));
        }

        return await directory.SetMembershipAsync(userId, body.OrganisationId, AdminApiClaims.ActorOf(http.User), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(AdminApiProblems.UnknownOrganisation(body.OrganisationId ?? ""));
    }
}
