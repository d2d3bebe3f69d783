using IdentityProvider.Admin.Permissions;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>The global MFA settings (<see cref="MfaSettingsStore"/>, the store every sign-in reads).</summary>
public static class MfaPolicyApi
{
    /// <summary>The members of <see cref="MfaPolicyUpdate"/> as JSON names, in order.</summary>
    private static readonly string[] Members = ["mfaEnabled", "enforceFor", "enforcedRoles", "graceSignIns", "graceDays", "rememberBrowserDays", "emailFallback"];

    /// <param name="EnforceFor">One of <c>none</c>, <c>allUsers</c>, <c>roles</c>.</param>
    public sealed record MfaPolicy(
        bool MfaEnabled, string EnforceFor, IReadOnlyList<string> EnforcedRoles, int GraceSignIns, int GraceDays, int RememberBrowserDays, bool EmailFallback);

    /// <summary>The body of a PUT: every member is required, so a missing one is refused rather than reset.</summary>
    public sealed record MfaPolicyUpdate(
        bool? MfaEnabled, string? EnforceFor, IReadOnlyList<string>? EnforcedRoles, int? GraceSignIns, int? GraceDays, int? RememberBrowserDays, bool? EmailFallback);

    public static RouteGroupBuilder MapMfaPolicyApi(this RouteGroupBuilder api)
    {
        api.MapGet("/mfa-policy", GetAsync)
            .WithName("getMfaPolicy")
            .WithSummary("The MFA settings in force.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapPut("/mfa-policy", PutAsync)
            .WithName("putMfaPolicy")
            .WithSummary("Replaces the MFA settings; nothing is saved when any value is refused.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        return api;
    }

    public static async Task<Ok<MfaPolicy>> GetAsync(MfaSettingsStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(ToApi(await store.GetAsync(cancellationToken)));

    public static async Task<Results<Ok<MfaPolicy>, BadRequest<ProblemDetails>>> PutAsync(
        JsonBody<MfaPolicyUpdate> json, HttpContext http, MfaSettingsStore store, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value is not { } body)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(Members));
        }

        var missing = Missing(body);
        if (missing.Count > 0)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(missing));
        }

        if (!AdminApiEnums.TryParse<EnforcementScope>(body.EnforceFor!, out var scope))
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidMfaPolicy(
                [$"'enforceFor' must be one of {string.Join(", ", AdminApiEnums.Names<EnforcementScope>())}."]));
        }

        var settings = new MfaPolicySettings(body.MfaEnabled!.Value, scope, body.EnforcedRoles!, body.GraceSignIns!.Value, body.GraceDays!.Value,
            body.RememberBrowserDays!.Value, body.EmailFallback!.Value);
        var problems = await store.SaveAsync(settings, AdminApiClaims.ActorOf(http.User), cancellationToken);
        return problems.Count > 0
            ? TypedResults.BadRequest(AdminApiProblems.InvalidMfaPolicy(problems))
            : TypedResults.Ok(ToApi(await store.GetAsync(cancellationToken)));
    }

    private static List<string> Missing(MfaPolicyUpdate body)
    {
        object?[] values = [body.MfaEnabled, body.EnforceFor, body.EnforcedRoles, body.GraceSignIns, body.GraceDays, body.RememberBrowserDays, body.EmailFallback];
        return [.. Members.Where((_, i) => values[i] is null)];
    }

    private static MfaPolicy ToApi(MfaPolicySettings settings) => new(
        settings.MfaEnabled, AdminApiEnums.Name(settings.EnforceFor), settings.EnforcedRoles, settings.GraceSignIns, settings.GraceDays,
        settings.RememberBrowserDays, settings.EmailFallback);
}
