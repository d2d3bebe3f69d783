namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// A WebAuthn ceremony in progress: the challenge and what it was issued for, kept on the server
/// (WebAuthn §13.4.3: the relying party must remember the challenge it sent). The row is deleted
/// by the request that completes the ceremony, so a challenge is answered at most once, on
/// whichever node that request lands.
/// </summary>
public sealed class PasskeyCeremony
{
    /// <summary>Random handle the page sends back with the credential; not the challenge itself.</summary>
    public required string Id { get; set; }

    /// <summary><see cref="PasskeyCeremonyPurposes"/>: a registration cannot be completed as a sign-in or the other way round.</summary>
    public required string Purpose { get; set; }

    /// <summary>The user the ceremony is for; null for a passwordless sign-in, where the passkey names the user.</summary>
    public string? UserId { get; set; }

    /// <summary>The name the user gave a passkey being registered.</summary>
    public string? PasskeyName { get; set; }

    /// <summary>Identity's attestation or assertion state (challenge, user entity) as it made it.</summary>
    public required string State { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

public static class PasskeyCeremonyPurposes
{
    public const string Registration = "registration";
    public const string SignIn = "sign-in";
    public const string SecondFactor = "second-factor";
}
