using System.Buffers.Text;
using System.Text.Json;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Configurations;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.Passkeys;

/// <summary>What the page hands to <c>navigator.credentials</c>, and the handle it sends back with the answer.</summary>
public sealed record PasskeyChallenge(string Ceremony, string OptionsJson);

/// <param name="UserVerified">The authenticator verified the user while creating the passkey (WebAuthn UV flag).</param>
public sealed record PasskeyRegistrationOutcome(bool Succeeded, string? Error = null, string? PasskeyName = null, bool UserVerified = false, bool BackupEligible = false);

/// <summary>A verified assertion: whose passkey, and what it proved (RFC 8176 amr).</summary>
public sealed record PasskeyAssertionOutcome(bool Succeeded, string? Error = null, string? UserId = null, bool UserVerified = false, bool BackupEligible = false)
{
    public static PasskeyAssertionOutcome Failed(string error) => new(false, error);
}

/// <summary>
/// The WebAuthn ceremonies. Identity's <see cref="IPasskeyHandler{TUser}"/> parses and verifies
/// them (WebAuthn §7.1 registration, §7.2 authentication: type, challenge, origin, RP ID hash, UP,
/// UV when required, signature, signature counter, credential not registered elsewhere); this
/// class keeps each challenge server-side and single use, decides what a verified passkey counts
/// for, stores the result and audits every refusal.
/// </summary>
public sealed partial class PasskeyAuthenticator(
    IPasskeyHandler<ApplicationUser> handler,
    PasskeyCeremonyStore ceremonies,
    UserManager<ApplicationUser> users,
    IdentityProviderDbContext db,
    PasskeyFactorState factorState,
    IOptions<PasskeyOptions> options,
    IAuditLog audit,
    TimeProvider time,
    ILogger<PasskeyAuthenticator> logger)
{
    /// <summary>Browsers' credential JSON is a few kilobytes; anything far larger is not one.</summary>
    public const int MaxCredentialJsonLength = 64 * 1024;

    public const string VerificationRequired =
        "This passkey did not verify you (no PIN, fingerprint or face check). Use a passkey that does, or sign in with your password.";

    public async Task<PasskeyChallenge?> BeginRegistrationAsync(ApplicationUser user, string passkeyName, HttpContext http, CancellationToken cancellationToken)
    {
        if (await db.UserPasskeys.CountAsync(p => p.UserId == user.Id, cancellationToken) >= options.Value.MaxPerUser)
        {
            return null;
        }

        var entity = new PasskeyUserEntity
        {
            Id = user.Id,
            Name = user.Email ?? user.UserName ?? user.Id,
            DisplayName = user.DisplayName ?? user.UserName ?? user.Id,
        };
        var created = await handler.MakeCreationOptionsAsync(entity, http);
        var id = await ceremonies.StartAsync(PasskeyCeremonyPurposes.Registration, user.Id, created.AttestationState ?? "", passkeyName, cancellationToken);
        return new PasskeyChallenge(id, created.CreationOptionsJson);
    }

    /// <summary>Verifies the browser's answer to a registration challenge and stores the new passkey.</summary>
    public async Task<PasskeyRegistrationOutcome> CompleteRegistrationAsync(string userId, string? ceremonyId, string? credentialJson, HttpContext http, CancellationToken cancellationToken)
    {
        var ceremony = await ceremonies.TakeAsync(ceremonyId, PasskeyCeremonyPurposes.Registration, cancellationToken);
        if (ceremony is null || ceremony.UserId != userId)
        {
            return await RegistrationFailedAsync(userId, "The registration has expired or was already used. Start again.", "unknown, expired or used ceremony", cancellationToken);
        }

        if (string.IsNullOrEmpty(credentialJson) || credentialJson.Length > MaxCredentialJsonLength)
        {
            return await RegistrationFailedAsync(userId, "The browser sent no usable passkey. Start again.", "missing or oversized credential", cancellationToken);
        }

        var result = await handler.PerformAttestationAsync(new PasskeyAttestationContext
        {
            HttpContext = http,
            CredentialJson = credentialJson,
            AttestationState = ceremony.State,
        });
        if (!result.Succeeded || result.UserEntity.Id != userId)
        {
            var reason = PasskeyErrors.ForRecord(result.Failure?.Message ?? "user entity mismatch");
            return await RegistrationFailedAsync(userId, PasskeyErrors.ForRegistration(reason), reason, cancellationToken);
        }

        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return new PasskeyRegistrationOutcome(false, "Your account no longer exists.");
        }

        var passkey = result.Passkey;
        passkey.Name = ceremony.PasskeyName;
        try
        {
            var stored = await users.AddOrUpdatePasskeyAsync(user, passkey);
            if (!stored.Succeeded)
            {
                return await RegistrationFailedAsync(userId, "The passkey could not be saved. Try again.", string.Join(" ", stored.Errors.Select(e => e.Code)), cancellationToken);
            }
        }
        catch (DbUpdateException)
        {
            // The credential id is the key: a parallel registration of the same credential lost.
            return await RegistrationFailedAsync(userId, PasskeyErrors.AlreadyRegistered, "credential id already stored", cancellationToken);
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.PasskeyAdded, userId, TargetType: "user", TargetId: userId,
            Details: $"passkey '{passkey.Name}', backup eligible: {passkey.IsBackupEligible}"), cancellationToken);
        await factorState.PasskeyAddedAsync(user, cancellationToken);
        LogRegistered(logger, userId);
        return new PasskeyRegistrationOutcome(true, PasskeyName: passkey.Name, UserVerified: passkey.IsUserVerified, BackupEligible: passkey.IsBackupEligible);
    }

    /// <param name="userId">The user whose passkeys may answer (a second factor), or null for any discoverable passkey.</param>
    public async Task<PasskeyChallenge> BeginAssertionAsync(string purpose, string? userId, HttpContext http, CancellationToken cancellationToken)
    {
        var user = userId is null ? null : await users.FindByIdAsync(userId);
        var request = await handler.MakeRequestOptionsAsync(user, http);
        var id = await ceremonies.StartAsync(purpose, user?.Id, request.AssertionState ?? "", null, cancellationToken);
        return new PasskeyChallenge(id, request.RequestOptionsJson);
    }

    /// <summary>
    /// Verifies the browser's answer to a sign-in challenge. Whether a passkey that did not verify
    /// the user (possession only) is enough is the policy's question; see <see cref="RefuseUnverifiedAsync"/>.
    /// </summary>
    /// <param name="expectedUserId">For a second factor: the user who gave the password.</param>
    public async Task<PasskeyAssertionOutcome> CompleteAssertionAsync(
        string purpose, string? ceremonyId, string? credentialJson, string? expectedUserId, HttpContext http, CancellationToken cancellationToken)
    {
        var ceremony = await ceremonies.TakeAsync(ceremonyId, purpose, cancellationToken);
        if (ceremony is null || ceremony.UserId != expectedUserId)
        {
            return await SignInFailedAsync(expectedUserId, PasskeyErrors.Expired, "unknown, expired or used ceremony", cancellationToken);
        }

        if (string.IsNullOrEmpty(credentialJson) || credentialJson.Length > MaxCredentialJsonLength)
        {
            return await SignInFailedAsync(expectedUserId, PasskeyErrors.NotUsable, "missing or oversized credential", cancellationToken);
        }

        var result = await handler.PerformAssertionAsync(new PasskeyAssertionContext
        {
            HttpContext = http,
            CredentialJson = credentialJson,
            AssertionState = ceremony.State,
        });
        if (!result.Succeeded)
        {
            var reason = PasskeyErrors.ForRecord(result.Failure?.Message ?? "assertion failed");
            return await SignInFailedAsync(expectedUserId, PasskeyErrors.ForAssertion(reason), reason, cancellationToken);
        }

        var user = result.User;
        if (user.DisabledAt is not null || await users.IsLockedOutAsync(user))
        {
            return await SignInFailedAsync(user.Id, PasskeyErrors.NotUsable, "account disabled or locked", cancellationToken);
        }

        // The signature checked above covers the authenticator data, so its flags can be trusted.
        var userVerified = AuthenticatorDataFlags.UserVerified(credentialJson);

        // WebAuthn §7.2 step 24: the new signature count and backup state are stored, so that a
        // cloned authenticator replaying an older count is refused next time.
        await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        var credentialId = result.Passkey.CredentialId;
        var now = time.GetUtcNow();
        await db.UserPasskeys.Where(p => p.CredentialId == credentialId)
            .ExecuteUpdateAsync(set => set.SetProperty(p => EF.Property<DateTimeOffset?>(p, PasskeyColumns.LastUsedAt), now), cancellationToken);
        return new PasskeyAssertionOutcome(true, UserId: user.Id, UserVerified: userVerified, BackupEligible: result.Passkey.IsBackupEligible);
    }

    /// <summary>
    /// Refuses a passkey that proved possession only (no PIN or biometric) where the policy needs
    /// more than one factor: a second possession factor would not make it two kinds.
    /// </summary>
    public Task<PasskeyAssertionOutcome> RefuseUnverifiedAsync(string userId, CancellationToken cancellationToken) =>
        SignInFailedAsync(userId, VerificationRequired, "user verification missing where MFA is required", cancellationToken);

    private async Task<PasskeyRegistrationOutcome> RegistrationFailedAsync(string userId, string message, string reason, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(new AuditRecord(AuditActions.PasskeyRegistrationFailed, userId, AuditOutcome.Failure, TargetType: "user",
            TargetId: userId, Details: reason), cancellationToken);
        LogRegistrationRefused(logger, userId, reason);
        return new PasskeyRegistrationOutcome(false, message);
    }

    private async Task<PasskeyAssertionOutcome> SignInFailedAsync(string? userId, string message, string reason, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(new AuditRecord(AuditActions.PasskeySignInFailed, userId ?? AuditActors.Anonymous, AuditOutcome.Failure,
            TargetType: userId is null ? null : "user", TargetId: userId, Details: reason), cancellationToken);
        LogAssertionRefused(logger, userId ?? "(unknown)", reason);
        return PasskeyAssertionOutcome.Failed(message);
    }

    [LoggerMessage(6500, LogLevel.Information, "Passkey registered for user {UserId}")]
    private static partial void LogRegistered(ILogger logger, string userId);

    [LoggerMessage(6501, LogLevel.Warning, "Passkey registration refused for user {UserId}: {Reason}")]
    private static partial void LogRegistrationRefused(ILogger logger, string userId, string reason);

    [LoggerMessage(6502, LogLevel.Warning, "Passkey sign-in refused for user {UserId}: {Reason}")]
    private static partial void LogAssertionRefused(ILogger logger, string userId, string reason);
}

/// <summary>Reads the flags byte of the authenticator data the browser sent (WebAuthn §6.1).</summary>
internal static class AuthenticatorDataFlags
{
    private const byte UserVerifiedFlag = 0x04;

    /// <summary>The UV flag; false for anything that cannot be read, so doubt never adds a factor.</summary>
    public static bool UserVerified(string credentialJson)
    {
        try
        {
            using var document = JsonDocument.Parse(credentialJson);
            if (document.RootElement.TryGetProperty("response", out var response)
                && response.TryGetProperty("authenticatorData", out var data)
                && data.GetString() is { } encoded && Base64Url.IsValid(encoded))
            {
                var bytes = Base64Url.DecodeFromChars(encoded);
                // rpIdHash (32 bytes), then the flags byte.
                return bytes.Length > 32 && (bytes[32] & UserVerifiedFlag) != 0;
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}
