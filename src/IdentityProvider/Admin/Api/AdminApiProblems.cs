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

    public static ProblemDetails MalformedPasskeyId() =>
        Problem(StatusCodes.Status400BadRequest, "Malformed passkey id", "A passkey id is the credential id in base64url, without padding.");

    private static ProblemDetails Problem(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail };
}
