using System.Text.Json;
using System.Text.Json.Nodes;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// The JSON the pages' passkey script reads: a challenge to hand to <c>navigator.credentials</c>
/// (options exactly as Identity made them, for <c>PublicKeyCredential.parse…OptionsFromJSON</c>)
/// with the ceremony handle to send back, or a message to show.
/// </summary>
internal static class PasskeyResponses
{
    public static IActionResult Challenge(PasskeyChallenge challenge) => new ContentResult
    {
        ContentType = "application/json",
        Content = new JsonObject
        {
            ["ceremony"] = challenge.Ceremony,
            ["options"] = JsonNode.Parse(challenge.OptionsJson),
        }.ToJsonString(),
        StatusCode = StatusCodes.Status200OK,
    };

    /// <summary>A registration challenge for a passkey named <paramref name="name"/>, or why not.</summary>
    public static async Task<IActionResult> RegistrationChallengeAsync(
        PasskeyAuthenticator passkeys, ApplicationUser user, string? name, HttpContext http, CancellationToken cancellationToken)
    {
        if (PasskeyNames.Validate(name, out var passkeyName) is { } invalid)
        {
            return Error(invalid);
        }

        return await passkeys.BeginRegistrationAsync(user, passkeyName, http, cancellationToken) is { } challenge
            ? Challenge(challenge)
            : Error(PasskeyNames.LimitReached);
    }

    public static IActionResult Error(string message) => new ContentResult
    {
        ContentType = "application/json",
        Content = JsonSerializer.Serialize(new { error = message }),
        StatusCode = StatusCodes.Status400BadRequest,
    };
}
