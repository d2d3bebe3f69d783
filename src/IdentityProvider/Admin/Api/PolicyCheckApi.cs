using System.ComponentModel.DataAnnotations;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>"Why was this user (not) asked for a second factor?" (<see cref="PolicyCheck"/>).</summary>
public static class PolicyCheckApi
{
    /// <summary>What the policy decides for a password sign-in of the user to the client.</summary>
    /// <param name="Required">The level the sign-in must reach: <c>single</c>, <c>mfa</c> or <c>phishingResistant</c>.</param>
    /// <param name="Reached">The level a password alone reaches.</param>
    /// <param name="Acr">The acr the tokens would state (null for a single factor).</param>
    /// <param name="Offer">Factors that can close the gap: <c>totp</c>, <c>passkey</c>, <c>recoveryCode</c>, <c>emailCode</c>.</param>
    /// <param name="Enrolment"><c>none</c>, <c>required</c> or <c>deferrable</c>.</param>
    /// <param name="Reasons">The evaluator's reasons, in the order it weighed them.</param>
    public sealed record PolicyCheckAnswer(
        string Required,
        string Reached,
        bool Satisfied,
        string? Acr,
        IReadOnlyList<string> Offer,
        string Enrolment,
        bool CanEnrol,
        int? GraceSignInsLeft,
        DateTimeOffset? GraceEndsAt,
        IReadOnlyList<PolicyReason> Reasons);

    public static RouteGroupBuilder MapPolicyCheckApi(this RouteGroupBuilder api)
    {
        api.MapGet("/policy-check", CheckAsync)
            .WithName("checkPolicy")
            .WithSummary("What the MFA policy decides for the user signing in with a password (to clientId, with acrValues), and why.")
            .RequirePermission(AdminPermissions.UsersRead);
        return api;
    }

    /// <param name="acrValues">Space-separated, as in an authorization request (OIDC Core §3.1.2.1).</param>
    public static async Task<Results<Ok<PolicyCheckAnswer>, BadRequest<ProblemDetails>, NotFound<ProblemDetails>>> CheckAsync(
        [Required] string? userId, string? clientId, string? acrValues, PolicyCheck check, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(userId))
        {
            return TypedResults.BadRequest(AdminApiProblems.MissingParameter("userId"));
        }

        var requested = (acrValues ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var result = await check.EvaluateAsync(userId, string.IsNullOrEmpty(clientId) ? null : clientId, requested, cancellationToken);
        if (!result.ClientFound)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownClient(clientId!));
        }

        if (result.Decision is not { } decision)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownUser(userId));
        }

        return TypedResults.Ok(new PolicyCheckAnswer(
            AdminApiEnums.Name(decision.Required),
            AdminApiEnums.Name(decision.Reached),
            decision.Satisfied,
            decision.Acr,
            [.. decision.Offer.Select(AdminApiEnums.Name)],
            AdminApiEnums.Name(decision.Enrolment),
            decision.CanEnrol,
            decision.GraceSignInsLeft,
            decision.GraceEndsAt,
            decision.Reasons));
    }
}
