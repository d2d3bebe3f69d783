using IdentityProvider.Admin.Clients;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// Registered clients (<see cref="ClientManager"/>, which the console and the command line use too),
/// all under <c>clients.manage</c>. A new or rotated secret appears once, in the answer that made it;
/// stored secrets exist only as hashes and no answer carries them, only their dates.
/// </summary>
public static class ClientsApi
{
    /// <summary>How long the previous secrets keep working after a rotation: the console's overlap.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromDays(1);

    /// <param name="Description">Where the secret came from: generated, rotated or configuration.</param>
    public sealed record ClientSecretDto(string? Description, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

    /// <param name="Type"><c>confidential</c> or <c>public</c> (RFC 6749 §2.1).</param>
    public sealed record ClientDto(
        string ClientId, string DisplayName, string Type, string TokenEndpointAuthMethod, IReadOnlyList<string> RedirectUris,
        IReadOnlyList<string> PostLogoutRedirectUris, IReadOnlyList<string> GrantTypes, IReadOnlyList<string> Scopes, bool RequirePkce,
        bool RequireConsent, string? RequiredAcr, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<ClientSecretDto> Secrets);

    /// <param name="Secret">The generated secret, shown this once; null when the client does not use one.</param>
    public sealed record CreatedClientDto(ClientDto Client, string? Secret);

    public sealed record RotatedSecretDto(string ClientId, string Secret, DateTimeOffset PreviousSecretsValidUntil);

    /// <summary>A registration: <c>clientId</c> and <c>grantTypes</c> are required; the rest defaults as in the console.</summary>
    public sealed record NewClient(
        string? ClientId, string? DisplayName, string? Type, string? TokenEndpointAuthMethod, List<string>? RedirectUris,
        List<string>? PostLogoutRedirectUris, List<string>? GrantTypes, List<string>? Scopes, bool? RequirePkce, bool? RequireConsent,
        string? RequiredAcr, string? Jwks);

    /// <summary>
    /// The body of a PUT: what the console edits. Lists and switches are required (a PUT replaces, so a
    /// missing one is refused rather than reset); a null <c>requiredAcr</c> leaves sign-in to the users' own
    /// policy. Type, authentication method, keys and secrets are not changed here.
    /// </summary>
    public sealed record ClientUpdate(
        string? DisplayName, List<string>? RedirectUris, List<string>? PostLogoutRedirectUris, List<string>? GrantTypes, List<string>? Scopes,
        bool? RequirePkce, bool? RequireConsent, string? RequiredAcr);

    private static readonly string[] UpdateMembers = ["redirectUris", "postLogoutRedirectUris", "grantTypes", "scopes", "requirePkce", "requireConsent"];

    public static RouteGroupBuilder MapClientsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/clients", ListAsync)
            .WithName("listClients")
            .WithSummary("Every registered client, by id; secrets only by their dates.")
            .RequirePermission(AdminPermissions.ClientsManage);
        api.MapPost("/clients", CreateAsync)
            .WithName("createClient")
            .WithSummary("Registers a client; a generated secret is in this answer only.")
            .RequirePermission(AdminPermissions.ClientsManage);
        api.MapGet("/clients/{clientId}", GetAsync)
            .WithName("getClient")
            .WithSummary("One client.")
            .RequirePermission(AdminPermissions.ClientsManage);
        api.MapPut("/clients/{clientId}", UpdateAsync)
            .WithName("updateClient")
            .WithSummary("Replaces the client's redirect URIs, grant types, scopes, PKCE, consent and required acr.")
            .RequirePermission(AdminPermissions.ClientsManage);
        api.MapDelete("/clients/{clientId}", DeleteAsync)
            .WithName("deleteClient")
            .WithSummary("Removes the client; its tokens can no longer be refreshed or introspected as its own.")
            .RequirePermission(AdminPermissions.ClientsManage);
        api.MapPost("/clients/{clientId}/secret", RotateSecretAsync)
            .WithName("rotateClientSecret")
            .WithSummary("Issues a new secret, in this answer only; the previous ones keep working for one day.")
            .RequirePermission(AdminPermissions.ClientsManage);
        return api;
    }

    public static async Task<Ok<IReadOnlyList<ClientDto>>> ListAsync(ClientManager clients, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<ClientDto>>([.. (await clients.ListAsync(cancellationToken)).Select(ToApi)]);

    public static async Task<Results<Ok<ClientDto>, NotFound<ProblemDetails>>> GetAsync(
        string clientId, ClientManager clients, CancellationToken cancellationToken) =>
        await clients.FindAsync(clientId, cancellationToken) is { } client
            ? TypedResults.Ok(ToApi(client))
            : TypedResults.NotFound(AdminApiProblems.UnknownClient(clientId));

    public static async Task<Results<Created<CreatedClientDto>, BadRequest<ProblemDetails>, Conflict<ProblemDetails>>> CreateAsync(
        JsonBody<NewClient> json, HttpContext http, ClientManager clients, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (json.Value is not { } body)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(["clientId", "grantTypes"]));
        }

        var type = ClientType.Confidential;
        if (body.Type is { } named && !AdminApiEnums.TryParse(named, out type))
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidClientType(named));
        }

        var registration = new ClientRegistration
        {
            ClientId = body.ClientId ?? "",
            DisplayName = string.IsNullOrWhiteSpace(body.DisplayName) ? null : body.DisplayName.Trim(),
            Type = type,
            TokenEndpointAuthMethod = body.TokenEndpointAuthMethod,
            RedirectUris = body.RedirectUris ?? [],
            PostLogoutRedirectUris = body.PostLogoutRedirectUris ?? [],
            GrantTypes = body.GrantTypes ?? [],
            Scopes = body.Scopes ?? [],
            RequirePkce = body.RequirePkce ?? true,
            RequireConsent = body.RequireConsent ?? false,
            RequiredAcr = body.RequiredAcr,
            Jwks = body.Jwks,
        };
        var errors = ClientRegistrationValidator.ValidateFields(registration);
        if (errors.Count > 0)
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidClient(errors));
        }

        // Valid, so the manager refuses it only because the id is taken (possibly by a concurrent request).
        var added = await clients.AddAsync(registration, AdminApiClaims.ActorOf(http.User), cancellationToken);
        if (!added.Succeeded || await clients.FindAsync(registration.ClientId, cancellationToken) is not { } client)
        {
            return TypedResults.Conflict(AdminApiProblems.ClientExists(registration.ClientId));
        }

        return TypedResults.Created($"{AdminApi.Prefix}/clients/{Uri.EscapeDataString(client.ClientId)}", new CreatedClientDto(ToApi(client), added.NewSecret));
    }

    public static async Task<Results<Ok<ClientDto>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> UpdateAsync(
        string clientId, JsonBody<ClientUpdate> json, HttpContext http, ClientManager clients, CancellationToken cancellationToken)
    {
        if (json.Problem is { } malformed)
        {
            return TypedResults.BadRequest(malformed);
        }

        if (await clients.FindAsync(clientId, cancellationToken) is not { } stored)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownClient(clientId));
        }

        if (json.Value is not { } body)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(UpdateMembers));
        }

        object?[] values = [body.RedirectUris, body.PostLogoutRedirectUris, body.GrantTypes, body.Scopes, body.RequirePkce, body.RequireConsent];
        var missing = UpdateMembers.Where((_, i) => values[i] is null).ToList();
        if (missing.Count > 0)
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingMembers(missing));
        }

        // What the manager keeps from the stored client (type, method, keys) is validated with the rest.
        var registration = ClientManager.ToRegistration(stored);
        registration.DisplayName = string.IsNullOrWhiteSpace(body.DisplayName) ? null : body.DisplayName.Trim();
        registration.RedirectUris = body.RedirectUris!;
        registration.PostLogoutRedirectUris = body.PostLogoutRedirectUris!;
        registration.GrantTypes = body.GrantTypes!;
        registration.Scopes = body.Scopes!;
        registration.RequirePkce = body.RequirePkce!.Value;
        registration.RequireConsent = body.RequireConsent!.Value;
        registration.RequiredAcr = body.RequiredAcr;
        var errors = ClientRegistrationValidator.ValidateFields(registration);
        if (errors.Count > 0)
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidClient(errors));
        }

        var updated = await clients.UpdateAsync(registration, AdminApiClaims.ActorOf(http.User), cancellationToken);
        return updated.Succeeded && await clients.FindAsync(clientId, cancellationToken) is { } client
            ? TypedResults.Ok(ToApi(client))
            : TypedResults.NotFound(AdminApiProblems.UnknownClient(clientId));
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> DeleteAsync(
        string clientId, HttpContext http, ClientManager clients, CancellationToken cancellationToken) =>
        await clients.RemoveAsync(clientId, AdminApiClaims.ActorOf(http.User), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(AdminApiProblems.UnknownClient(clientId));

    public static async Task<Results<Ok<RotatedSecretDto>, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> RotateSecretAsync(
        string clientId, HttpContext http, ClientManager clients, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await clients.FindAsync(clientId, cancellationToken) is not { } client)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownClient(clientId));
        }

        var rotated = await clients.RotateSecretAsync(clientId, RotationOverlap, AdminApiClaims.ActorOf(http.User), cancellationToken);
        return rotated is { Succeeded: true, NewSecret: { } secret }
            ? TypedResults.Ok(new RotatedSecretDto(clientId, secret, time.GetUtcNow() + RotationOverlap))
            : TypedResults.Conflict(AdminApiProblems.ClientWithoutSecret(clientId, client.TokenEndpointAuthMethod));
    }

    private static ClientDto ToApi(ClientEntity entity)
    {
        var registration = ClientManager.ToRegistration(entity);
        return new ClientDto(
            entity.ClientId, entity.DisplayName, AdminApiEnums.Name(registration.Type), entity.TokenEndpointAuthMethod, registration.RedirectUris,
            registration.PostLogoutRedirectUris, registration.GrantTypes, registration.Scopes, entity.RequirePkce, entity.RequireConsent,
            entity.RequiredAcr, entity.CreatedAt, entity.UpdatedAt,
            [.. entity.Secrets.OrderBy(s => s.CreatedAt).Select(s => new ClientSecretDto(s.Description, s.CreatedAt, s.ExpiresAt))]);
    }
}
