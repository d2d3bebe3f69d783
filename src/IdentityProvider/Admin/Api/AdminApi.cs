using IdentityProvider.Admin.Audit;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Protocol.Endpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>Registration and routes of the admin API: bearer tokens with <see cref="AdminApiScopes.Admin"/>, then permissions.</summary>
public static class AdminApi
{
    public const string Prefix = "/admin/api";

    public const string OpenApiPath = Prefix + "/openapi.json";

    /// <summary>
    /// The gate in front of every admin API operation: only the <see cref="AdminApiAuthenticationHandler.SchemeName"/>
    /// scheme (never the session cookie), and the admin scope (RFC 6750 §3.1 insufficient_scope otherwise).
    /// </summary>
    public static readonly AuthorizationPolicy Policy = new AuthorizationPolicyBuilder(AdminApiAuthenticationHandler.SchemeName)
        .RequireAuthenticatedUser()
        .RequireClaim(AdminApiClaims.Scope, AdminApiScopes.Admin)
        .Build();

    public static IServiceCollection AddAdminApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdministrationOptions>()
            .Bind(configuration.GetSection(AdministrationOptions.SectionName))
            .Validate(o => !o.UnknownPermissions().Any(),
                $"Administration: a permission is not one of {string.Join(", ", AdminPermissions.All)}.")
            .ValidateOnStart();
        services.AddScoped<AdminPermissionResolver>();
        services.AddScoped<AuditQuery>();
        services.AddScoped<Overview.AdminOverview>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, AdminApiAuthenticationHandler>(AdminApiAuthenticationHandler.SchemeName, _ => { });
        services.AddAuthorization();
        services.AddSingleton<AdminApiDocument>();
        // Discovery lists the scope, so clients (and their operators) can see it exists (RFC 8414 §2).
        services.PostConfigure<OpenIdServerOptions>(server =>
        {
            if (!server.ScopesSupported.Contains(AdminApiScopes.Admin))
            {
                server.ScopesSupported.Add(AdminApiScopes.Admin);
            }
        });
        return services;
    }

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        // Public, like discovery: it describes the API, it grants nothing.
        endpoints.MapGet(OpenApiPath, (AdminApiDocument document) =>
                Results.Bytes(document.Utf8Json, "application/json"))
            .WithName("getOpenApiDocument")
            .WithSummary("This document.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");

        var api = endpoints.MapGroup(Prefix)
            .RequireAuthorization(Policy)
            // Answers written before the filter below runs (a route the binder refuses) stay out of the
            // host's HTML status pages too.
            .WithMetadata(new SkipStatusCodePagesAttribute())
            // A program reads these answers: the host's HTML status pages stay out of them.
            .AddEndpointFilter(async (context, next) =>
            {
                if (context.HttpContext.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
                {
                    statusPages.Enabled = false;
                }

                context.HttpContext.Response.Headers.CacheControl = "no-store";
                var result = await next(context);
                // NotFound<ProblemDetails> and BadRequest<ProblemDetails> declare the outcomes in the
                // endpoints' signatures but write application/json; RFC 9457 §3 wants application/problem+json.
                var outcome = result is INestedHttpResult nested ? nested.Result : result;
                return outcome is IValueHttpResult { Value: ProblemDetails problem } ? TypedResults.Problem(problem) : result;
            });
        api.MapUsersApi();
        api.MapUserAccountsApi();
        api.MapUserPasskeysApi();
        api.MapUserMfaRequirementApi();
        api.MapMfaPolicyApi();
        api.MapOrganisationsApi();
        api.MapPolicyCheckApi();
        api.MapAuditApi();
        api.MapSecuritySettingsApi();
        api.MapRolesApi();
        api.MapClientsApi();
        api.MapUpstreamProvidersApi();
        api.MapEmailTemplatesApi();
        api.MapOverviewApi();
        return endpoints;
    }
}
