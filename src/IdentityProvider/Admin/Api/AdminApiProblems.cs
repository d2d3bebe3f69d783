using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>Every problem (RFC 9457) the admin API answers with, in one place.</summary>
public static class AdminApiProblems
{
    public static ProblemDetails Unauthorized(string detail) =>
        Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static ProblemDetails InsufficientScope() =>
        Problem(StatusCodes.Status403Forbidden, "Insufficient scope", $"The access token does not carry the scope '{AdminApiScopes.Admin}'.");

    public static ProblemDetails MissingPermission(string permission) =>
        Problem(StatusCodes.Status403Forbidden, "Missing permission", $"This operation needs the permission '{permission}'.");

    public static ProblemDetails UnknownUser(string userId) =>
        Problem(StatusCodes.Status404NotFound, "Unknown user", $"There is no user with id '{userId}'.");

    public static ProblemDetails UnknownPasskey(string passkeyId) =>
        Problem(StatusCodes.Status404NotFound, "Unknown passkey", $"The user has no passkey with id '{passkeyId}'.");

    public static ProblemDetails NoPendingPasskeyRequest() =>
        Problem(StatusCodes.Status404NotFound, "No passkey request", "The user has no pending passkey request.");

    public static ProblemDetails NoAuthenticatorApp() =>
        Problem(StatusCodes.Status404NotFound, "No authenticator app", "The user has no authenticator app and no recovery codes to remove.");

    /// <summary>Query parameters the operation could not read; nothing was looked up.</summary>
    public static ProblemDetails InvalidQuery(IEnumerable<string> problems) =>
        Invalid("Invalid query", "The query string has values the operation cannot read.", problems);

    public static ProblemDetails MalformedPasskeyId() =>
        Problem(StatusCodes.Status400BadRequest, "Malformed passkey id", "A passkey id is the credential id in base64url, without padding.");

    public static ProblemDetails UnknownOrganisation(string organisationId) =>
        Problem(StatusCodes.Status404NotFound, "Unknown organisation", $"There is no organisation with id '{organisationId}'.");

    public static ProblemDetails UnknownClient(string clientId) =>
        Problem(StatusCodes.Status404NotFound, "Unknown client", $"There is no client with id '{clientId}'.");

    public static ProblemDetails OrganisationNameTaken(string name) =>
        Problem(StatusCodes.Status409Conflict, "Organisation exists", $"An organisation named '{name}' already exists.");

    public static ProblemDetails InvalidOrganisationName(int maxLength) =>
        Problem(StatusCodes.Status400BadRequest, "Invalid organisation name", $"An organisation needs a name of 1 to {maxLength} characters.");

    public static ProblemDetails MalformedBody(string detail) =>
        Problem(StatusCodes.Status400BadRequest, "Malformed body", detail);

    /// <summary>An audit filter the query refused (<c>AuditFilter.Parse</c>): a bad date, an empty range, an unknown outcome.</summary>
    public static ProblemDetails InvalidAuditFilter(string detail) =>
        Problem(StatusCodes.Status400BadRequest, "Invalid audit filter", detail);

    public static ProblemDetails MissingParameter(string name) =>
        Problem(StatusCodes.Status400BadRequest, "Missing parameter", $"The query parameter '{name}' is required.");

    /// <summary>A request body without members the operation needs (a PUT replaces everything, so nothing is defaulted).</summary>
    public static ProblemDetails MissingMembers(IEnumerable<string> members) =>
        Invalid("Missing members", "The request body lacks required members.", members.Select(m => $"'{m}' is required."));

    /// <summary>MFA settings the store refused (<c>MfaSettingsStore.Validate</c>); nothing was saved.</summary>
    public static ProblemDetails InvalidMfaPolicy(IEnumerable<string> problems) =>
        Invalid("Invalid MFA policy", "The MFA policy was not saved.", problems);

    /// <summary>Sign-in limits the store refused (<c>SecuritySettingsStore.Validate</c>); nothing was saved.</summary>
    public static ProblemDetails InvalidSecuritySettings(IEnumerable<Policy.SettingProblem> problems) =>
        InvalidFields("Invalid security settings", "The security settings were not saved.", problems.Select(p => (p.Field, p.Message)));

    /// <summary>A registration <c>ClientRegistrationValidator</c> refused; nothing was saved.</summary>
    public static ProblemDetails InvalidClient(IEnumerable<Clients.ClientRegistrationError> errors) =>
        InvalidFields("Invalid client", "The client was not saved.", errors.Select(e => (e.Field, e.Message)));

    public static ProblemDetails InvalidClientType(string type) =>
        InvalidFields("Invalid client", "The client was not saved.", [("type", $"type '{type}' is not one of confidential, public.")]);

    public static ProblemDetails ClientExists(string clientId) =>
        Problem(StatusCodes.Status409Conflict, "Client exists", $"A client with id '{clientId}' already exists.");

    public static ProblemDetails ClientWithoutSecret(string clientId, string method) =>
        Problem(StatusCodes.Status409Conflict, "Client has no secret", $"Client '{clientId}' authenticates with {method}, not a secret.");

    public static ProblemDetails UnknownUpstreamProvider(string providerId) =>
        Problem(StatusCodes.Status404NotFound, "Unknown upstream provider", $"There is no upstream provider with id '{providerId}'.");

    /// <summary>A provider <c>UpstreamProviderRules</c> refused; nothing was saved.</summary>
    public static ProblemDetails InvalidUpstreamProvider(IEnumerable<(string Field, string Message)> problems) =>
        InvalidFields("Invalid upstream provider", "The upstream provider was not saved.", problems);

    public static ProblemDetails UpstreamProviderExists(string providerId) =>
        Problem(StatusCodes.Status409Conflict, "Upstream provider exists", $"An upstream provider with id '{providerId}' already exists.");

    public static ProblemDetails UpstreamProviderInConfiguration(string providerId) =>
        Problem(StatusCodes.Status409Conflict, "Upstream provider in configuration",
            $"The upstream provider '{providerId}' is defined in configuration (Federation:Providers); change it there.");

    public static ProblemDetails UnknownEmailTemplate(string key) =>
        Problem(StatusCodes.Status404NotFound, "Unknown email template", $"There is no email template '{key}'.");

    /// <summary>A template its definition refused (<c>EmailTemplateDefinition.Problems</c>); nothing was saved.</summary>
    public static ProblemDetails InvalidEmailTemplate(IEnumerable<Infrastructure.Email.EmailTemplateProblem> problems) =>
        InvalidFields("Invalid email template", "The email template was not saved.", problems.Select(p => (p.Field, p.Message)));

    public static ProblemDetails UnknownRole(string role) =>
        Problem(StatusCodes.Status404NotFound, "Unknown role", $"There is no role named '{role}'.");

    public static ProblemDetails UnknownRoles(IEnumerable<string> roles) =>
        InvalidFields("Unknown roles", "The user's roles were not changed.", roles.Select(r => ("roles", $"There is no role named '{r}'.")));

    public static ProblemDetails InvalidRoleName(int maxLength) =>
        InvalidFields("Invalid role name", "The role was not created.", [("name", $"A role needs a name of 1 to {maxLength} characters without spaces.")]);

    public static ProblemDetails RoleExists(string role) =>
        Problem(StatusCodes.Status409Conflict, "Role exists", $"A role named '{role}' already exists.");

    public static ProblemDetails RoleProtected(string role) =>
        Problem(StatusCodes.Status409Conflict, "Role protected", $"The administrators' role '{role}' cannot be deleted.");

    public static ProblemDetails RoleHasMembers(string role) =>
        Problem(StatusCodes.Status409Conflict, "Role has members", $"The role '{role}' has members; only a role without members can be deleted.");

    /// <summary>
    /// Like <see cref="Invalid"/>, with the problems also grouped by field in <c>errors</c> (the member
    /// name ASP.NET Core's validation problems use), so a client can show each next to its input.
    /// </summary>
    private static ProblemDetails InvalidFields(string title, string detail, IEnumerable<(string Field, string Message)> problems)
    {
        var list = problems.ToList();
        var problem = Invalid(title, detail, list.Select(p => p.Message));
        problem.Extensions["errors"] = list.GroupBy(p => p.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToList(), StringComparer.Ordinal);
        return problem;
    }

    /// <summary>
    /// A user the operation refused field by field; nothing was saved. <c>errors</c> maps each field
    /// (as the body names it) to its problems, as ASP.NET Core's validation problems do.
    /// </summary>
    public static ProblemDetails InvalidUser(IReadOnlyDictionary<string, string[]> errors)
    {
        var problem = Invalid("Invalid user", "The user was not saved.", errors.SelectMany(e => e.Value.Select(v => $"'{e.Key}': {v}")));
        problem.Extensions["errors"] = errors;
        return problem;
    }

    public static ProblemDetails CannotDisableSelf() =>
        Problem(StatusCodes.Status409Conflict, "Cannot disable yourself", "An administrator cannot disable their own account.");

    public static ProblemDetails LastAdministrator() =>
        Problem(StatusCodes.Status409Conflict, "Last administrator", "The change would leave no enabled administrator.");

    private static ProblemDetails Invalid(string title, string detail, IEnumerable<string> problems)
    {
        var problem = Problem(StatusCodes.Status400BadRequest, title, detail);
        problem.Extensions["problems"] = problems.ToList();
        return problem;
    }

    private static ProblemDetails Problem(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail };
}
