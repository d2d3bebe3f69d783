using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>Endpoint metadata: the permission an admin API operation needs (the OpenAPI document lists it).</summary>
public sealed record RequiredPermission(string Permission);

public static class PermissionRequirement
{
    /// <summary>
    /// Refuses the call with 403 problem details unless the caller holds <paramref name="permission"/>.
    /// Runs before the handler, so no input is looked at (and no user id confirmed) without it.
    /// </summary>
    public static RouteHandlerBuilder RequirePermission(this RouteHandlerBuilder endpoint, string permission) =>
        endpoint
            .WithMetadata(new RequiredPermission(permission))
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .AddEndpointFilter(async (context, next) =>
                AdminApiClaims.HasPermission(context.HttpContext.User, permission)
                    ? await next(context)
                    : TypedResults.Problem(AdminApiProblems.MissingPermission(permission)));
}
