using IdentityProvider.Admin.Permissions;
using IdentityProvider.Federation;
using IdentityProvider.Federation.Providers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// Upstream OpenID Connect providers users may sign in through (<see cref="UpstreamProviderManager"/>,
/// which the console uses too). Reading needs <c>users.read</c>; every change needs
/// <c>security.manage_settings</c>. The client secret is write-only: no answer carries it, only
/// <c>hasClientSecret</c>. Providers defined in configuration are listed but cannot be changed here (409).
/// </summary>
public static class UpstreamProvidersApi
{
    /// <param name="Groups">Null when groups are not read.</param>
    public sealed record UpstreamClaimsDto(string? Subject, string? Email, string? Name, string? Groups);

    /// <param name="Source"><c>configuration</c> (read-only here) or <c>database</c>.</param>
    /// <param name="CallbackUrl">The redirect URI to register at the upstream.</param>
    /// <param name="LinkedUsers">Local users with an external login at this provider.</param>
    public sealed record UpstreamProviderDto(
        string Id, string DisplayName, string Issuer, string ClientId, string ClientAuthentication, bool HasClientSecret, IReadOnlyList<string> Scopes,
        UpstreamClaimsDto Claims, string MfaRule, bool ProvisionUsers, bool LinkByEmail, IReadOnlyList<string> Domains, bool Enabled, string Source,
        string CallbackUrl, int LinkedUsers);

    /// <summary>
    /// A new provider: <c>id</c>, <c>displayName</c>, <c>issuer</c> and <c>clientId</c> are required (and
    /// <c>clientSecret</c> unless <c>private_key_jwt</c>); the rest defaults as in configuration:
    /// client_secret_basic, <c>openid profile email</c>, the standard claims, bypass, provisioning on, enabled.
    /// </summary>
    public sealed record NewUpstreamProvider(
        string? Id, string? DisplayName, string? Issuer, string? ClientId, string? ClientSecret, string? ClientAuthentication, List<string>? Scopes,
        UpstreamClaimsDto? Claims, string? MfaRule, bool? ProvisionUsers, bool? LinkByEmail, List<string>? Domains, bool? Enabled);

    /// <summary>
    /// The body of a PUT, which replaces the provider: every member is required except <c>clientSecret</c>
    /// (null keeps the stored one) and <c>claims.groups</c>. The id is the route's and never changes.
    /// </summary>
    public sealed record UpstreamProviderUpdate(
        string? DisplayName, string? Issuer, string? ClientId, string? ClientSecret, string? ClientAuthentication, List<string>? Scopes,
        UpstreamClaimsDto? Claims, string? MfaRule, bool? ProvisionUsers, bool? LinkByEmail, List<string>? Domains, bool? Enabled);

    private static readonly string[] UpdateMembers =
        ["displayName", "issuer", "clientId", "clientAuthentication", "scopes", "claims", "mfaRule", "provisionUsers", "linkByEmail", "domains", "enabled"];

    public static RouteGroupBuilder MapUpstreamProvidersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/upstream-providers", ListAsync)
            .WithName("listUpstreamProviders")
            .WithSummary("Every upstream sign-in provider, configuration first; secrets only as hasClientSecret.")
            .RequirePermission(AdminPermissions.UsersRead);
        api.MapPost("/upstream-providers", CreateAsync)
            .WithName("createUpstreamProvider")
            .WithSummary("Adds an upstream sign-in provider; its secret is stored encrypted and never returned.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapGet("/upstream-providers/{providerId}", GetAsync)
            .WithName("getUpstreamProvider")
            .WithSummary("One upstream sign-in provider.")
            .RequirePermission(AdminPermissions.UsersRead);
        api.MapPut("/upstream-providers/{providerId}", UpdateAsync)
            .WithName("updateUpstreamProvider")
            .WithSummary("Replaces a provider's settings; a null clientSecret keeps the stored one. Configuration providers: 409.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapDelete("/upstream-providers/{providerId}", DeleteAsync)
            .WithName("deleteUpstreamProvider")
            .WithSummary("Removes a provider and its users' links to it (the users stay). Configuration providers: 409.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        return api;
    }

    public static async Task<Ok<IReadOnlyList<UpstreamProviderDto>>> ListAsync(UpstreamProviderOverview overview, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<UpstreamProviderDto>>([.. (await overview.ListAsync(cancellationToken)).Select(ToApi)]);

    public static async Task<Results<Ok<UpstreamProviderDto>, NotFound<ProblemDetails>>> GetAsync(
        string providerId, UpstreamProviderOverview overview, CancellationToken cancellationToken) =>
        await overview.FindAsync(providerId, cancellationToken) is { } summary
            ? TypedResults.Ok(ToApi(summary))
            : TypedResults.NotFound(AdminApiProblems.UnknownUpstreamProvider(providerId));

    public static async Task<Results<Created<UpstreamProviderDto>, BadRequest<ProblemDetails>, Conflict<ProblemDetails>>> CreateAsync(
        JsonBody<NewUpstreamProvider> json, HttpContext http, UpstreamProviderManager manager, UpstreamProviderOverview overview, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value is not { } body)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(["id", "displayName", "issuer", "clientId"]));
        }

        var problems = new List<(string Field, string Message)>();
        var provider = ToProvider(
            body.Id, body.DisplayName, body.Issuer, body.ClientId, body.ClientAuthentication ?? UpstreamProviderValues.ClientSecretBasic,
            body.Scopes ?? [.. ConfiguredProviderReader.DefaultScopes], body.Claims ?? new UpstreamClaimsDto("sub", "email", "name", null),
            body.MfaRule ?? UpstreamProviderValues.Bypass, body.ProvisionUsers ?? true, body.LinkByEmail ?? false, body.Domains ?? [], body.Enabled ?? true, problems);
        problems.AddRange(UpstreamProviderRules.Check(provider, body.ClientSecret).Select(p => (UpstreamProviderRules.FieldOf(p), p)));
        if (problems.Count > 0)
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidUpstreamProvider(problems));
        }

        // Valid, so the manager refuses it only because the id is taken (by configuration, a row, or a concurrent request).
        var change = await manager.CreateAsync(provider, body.ClientSecret, AdminApiClaims.ActorOf(http.User), cancellationToken);
        if (!change.Succeeded || await overview.FindAsync(provider.Id, cancellationToken) is not { } created)
        {
            return TypedResults.Conflict(AdminApiProblems.UpstreamProviderExists(provider.Id));
        }

        return TypedResults.Created($"{AdminApi.Prefix}/upstream-providers/{Uri.EscapeDataString(provider.Id)}", ToApi(created));
    }

    public static async Task<Results<Ok<UpstreamProviderDto>, BadRequest<ProblemDetails>, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> UpdateAsync(
        string providerId, JsonBody<UpstreamProviderUpdate> json, HttpContext http, UpstreamProviderManager manager, UpstreamProviderOverview overview,
        CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (await overview.FindAsync(providerId, cancellationToken) is not { } stored)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownUpstreamProvider(providerId));
        }

        if (stored.Configured)
        {
            return TypedResults.Conflict(AdminApiProblems.UpstreamProviderInConfiguration(providerId));
        }

        if (json.Value is not { } body)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(UpdateMembers));
        }

        object?[] values = [body.DisplayName, body.Issuer, body.ClientId, body.ClientAuthentication, body.Scopes, body.Claims, body.MfaRule,
            body.ProvisionUsers, body.LinkByEmail, body.Domains, body.Enabled];
        var missing = UpdateMembers.Where((_, i) => values[i] is null).ToList();
        if (missing.Count > 0)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(missing));
        }

        var problems = new List<(string Field, string Message)>();
        var provider = ToProvider(providerId, body.DisplayName, body.Issuer, body.ClientId, body.ClientAuthentication!, body.Scopes!, body.Claims!,
            body.MfaRule!, body.ProvisionUsers!.Value, body.LinkByEmail!.Value, body.Domains!, body.Enabled!.Value, problems);
        if (problems.Count > 0)
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidUpstreamProvider(problems));
        }

        // The manager validates with the stored secret standing in for a null one.
        var change = await manager.UpdateAsync(provider, body.ClientSecret, AdminApiClaims.ActorOf(http.User), cancellationToken);
        return change.Status switch
        {
            UpstreamProviderChangeStatus.Saved when await overview.FindAsync(providerId, cancellationToken) is { } saved => TypedResults.Ok(ToApi(saved)),
            UpstreamProviderChangeStatus.Invalid => TypedResults.BadRequest(AdminApiProblems.InvalidUpstreamProvider(
                change.Problems.Select(p => (UpstreamProviderRules.FieldOf(p), p)))),
            UpstreamProviderChangeStatus.ReadOnly => TypedResults.Conflict(AdminApiProblems.UpstreamProviderInConfiguration(providerId)),
            _ => TypedResults.NotFound(AdminApiProblems.UnknownUpstreamProvider(providerId)),
        };
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> DeleteAsync(
        string providerId, HttpContext http, UpstreamProviderManager manager, CancellationToken cancellationToken) =>
        (await manager.RemoveAsync(providerId, AdminApiClaims.ActorOf(http.User), cancellationToken)).Status switch
        {
            UpstreamProviderChangeStatus.Saved => TypedResults.NoContent(),
            UpstreamProviderChangeStatus.ReadOnly => TypedResults.Conflict(AdminApiProblems.UpstreamProviderInConfiguration(providerId)),
            _ => TypedResults.NotFound(AdminApiProblems.UnknownUpstreamProvider(providerId)),
        };

    /// <summary>The provider the body describes; enum values that are not one of the names are added to <paramref name="problems"/>.</summary>
    private static UpstreamProvider ToProvider(
        string? id, string? displayName, string? issuer, string? clientId, string clientAuthentication, List<string> scopes, UpstreamClaimsDto claims,
        string mfaRule, bool provisionUsers, bool linkByEmail, List<string> domains, bool enabled, List<(string Field, string Message)> problems)
    {
        if (!UpstreamProviderValues.TryParseClientAuthentication(clientAuthentication, out var authentication))
        {
            problems.Add(("clientAuthentication", $"clientAuthentication '{clientAuthentication}' is not one of {UpstreamProviderValues.ClientSecretBasic}, "
                + $"{UpstreamProviderValues.ClientSecretPost}, {UpstreamProviderValues.PrivateKeyJwt}."));
        }

        if (!UpstreamProviderValues.TryParseMfaRule(mfaRule, out var rule))
        {
            problems.Add(("mfaRule", $"mfaRule '{mfaRule}' is not one of {UpstreamProviderValues.Bypass}, {UpstreamProviderValues.RequireLocal}, "
                + $"{UpstreamProviderValues.TrustUpstreamAmr}."));
        }

        return new UpstreamProvider(
            id ?? "", displayName ?? "", issuer ?? "", clientId ?? "", authentication, scopes,
            new UpstreamClaimMapping(claims.Subject ?? "", claims.Email ?? "", claims.Name ?? "", string.IsNullOrWhiteSpace(claims.Groups) ? null : claims.Groups),
            rule, provisionUsers, linkByEmail, domains, enabled);
    }

    private static UpstreamProviderDto ToApi(UpstreamProviderSummary summary)
    {
        var p = summary.Provider;
        return new UpstreamProviderDto(
            p.Id, p.DisplayName, p.Issuer, p.ClientId, UpstreamProviderValues.Name(p.ClientAuthentication), summary.HasClientSecret, p.Scopes,
            new UpstreamClaimsDto(p.Claims.Subject, p.Claims.Email, p.Claims.Name, p.Claims.Groups), UpstreamProviderValues.Name(p.MfaRule),
            p.ProvisionUsers, p.LinkByEmail, p.Domains, p.Enabled, summary.Configured ? "configuration" : "database", summary.CallbackUrl, summary.LinkedUsers);
    }
}
