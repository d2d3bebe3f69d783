using IdentityProvider.Admin.Permissions;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// The sign-in limits (<see cref="SecuritySettingsStore"/>): lockout, TOTP window, recovery-code
/// count. A resource of its own beside <c>/mfa-policy</c>, as they are stored apart: replacing one never
/// fixes the other's configured values.
/// </summary>
public static class SecuritySettingsApi
{
    /// <summary>The members of <see cref="SecuritySettingsUpdate"/> as JSON names, in order.</summary>
    private static readonly string[] Members =
    [
        SecuritySettingsStore.MaxFailedPasswordsField, SecuritySettingsStore.MaxFailedCodesField, SecuritySettingsStore.LockoutDurationField,
        SecuritySettingsStore.TotpWindowField, SecuritySettingsStore.RecoveryCodeCountField,
    ];

    /// <param name="LockoutDurationMinutes">How long a lock lasts (a configured duration that is not whole minutes is rounded up).</param>
    /// <param name="TotpWindow">TOTP time steps (30 s) accepted either side of the current one.</param>
    public sealed record SecuritySettingsDto(int MaxFailedPasswords, int MaxFailedCodes, int LockoutDurationMinutes, int TotpWindow, int RecoveryCodeCount);

    /// <summary>The body of a PUT: every member is required, so a missing one is refused rather than reset.</summary>
    public sealed record SecuritySettingsUpdate(int? MaxFailedPasswords, int? MaxFailedCodes, int? LockoutDurationMinutes, int? TotpWindow, int? RecoveryCodeCount);

    public static RouteGroupBuilder MapSecuritySettingsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/security-settings", GetAsync)
            .WithName("getSecuritySettings")
            .WithSummary("The lockout limits, TOTP window and recovery-code count in force.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapPut("/security-settings", PutAsync)
            .WithName("putSecuritySettings")
            .WithSummary("Replaces the lockout limits, TOTP window and recovery-code count; nothing is saved when any value is refused.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        return api;
    }

    public static async Task<Ok<SecuritySettingsDto>> GetAsync(SecuritySettingsStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(ToApi(await store.GetAsync(cancellationToken)));

    public static async Task<Results<Ok<SecuritySettingsDto>, BadRequest<ProblemDetails>>> PutAsync(
        JsonBody<SecuritySettingsUpdate> json, HttpContext http, SecuritySettingsStore store, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value is not { } body)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(Members));
        }

        int?[] values = [body.MaxFailedPasswords, body.MaxFailedCodes, body.LockoutDurationMinutes, body.TotpWindow, body.RecoveryCodeCount];
        var missing = Members.Where((_, i) => values[i] is null).ToList();
        if (missing.Count > 0)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(missing));
        }

        var settings = new SecurityLimits(body.MaxFailedPasswords!.Value, body.MaxFailedCodes!.Value,
            TimeSpan.FromMinutes(body.LockoutDurationMinutes!.Value),
            body.TotpWindow!.Value, body.RecoveryCodeCount!.Value);
        var problems = await store.SaveAsync(settings, AdminApiClaims.ActorOf(http.User), cancellationToken);
        return problems.Count > 0
            ? TypedResults.BadRequest(AdminApiProblems.InvalidSecuritySettings(problems))
            : TypedResults.Ok(ToApi(await store.GetAsync(cancellationToken)));
    }

    public static SecuritySettingsDto ToApi(SecurityLimits settings) => new(
        settings.MaxFailedPasswords, settings.MaxFailedCodes, (int)Math.Ceiling(settings.LockoutDuration.TotalMinutes), settings.TotpWindow,
        settings.RecoveryCodeCount);
}
