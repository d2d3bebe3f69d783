using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Account;

public sealed record SecurityOverview(bool TotpEnabled, int RecoveryCodesRemaining);

/// <summary>
/// My account → Security: what a signed-in user may change about their own second factor. Every
/// change that weakens or re-issues a factor first asks for a current one (seed 004), and that
/// proof passes the same database attempt gate as sign-in, so it cannot be guessed at leisure.
/// </summary>
public sealed class SecuritySettings(
    TotpAuthenticator totp,
    RecoveryCodeService recoveryCodes,
    SignInAttemptGate gate,
    AdministratorNotifier administrators,
    UserManager<ApplicationUser> users,
    IAuditLog audit)
{
    public async Task<SecurityOverview> GetAsync(string userId, CancellationToken cancellationToken) =>
        new(await totp.IsEnabledAsync(userId, cancellationToken), await recoveryCodes.CountRemainingAsync(userId, cancellationToken));

    /// <summary>A current TOTP code, or (when <paramref name="allowRecoveryCode"/>) a recovery code, which is then used up.</summary>
    public async Task<bool> ProveSecondFactorAsync(string userId, string? code, bool allowRecoveryCode, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > 40 || !await gate.TryReserveAsync(userId, SignInFactor.SecondFactor, cancellationToken))
        {
            return false;
        }

        var proven = await totp.VerifyAsync(userId, code, cancellationToken) == TotpVerification.Valid
            || (allowRecoveryCode && await recoveryCodes.RedeemAsync(userId, code, cancellationToken));
        if (proven)
        {
            await gate.RecordSuccessAsync(userId, SignInFactor.SecondFactor, signInComplete: false, cancellationToken);
        }
        else
        {
            await gate.RecordFailureAsync(userId, SignInFactor.SecondFactor, cancellationToken);
            await audit.RecordAsync(new AuditRecord(AuditActions.SecondFactorProofFailed, userId, AuditOutcome.Failure, TargetType: "user", TargetId: userId,
                Details: allowRecoveryCode ? "wrong code or recovery code" : "wrong code"), cancellationToken);
        }

        return proven;
    }

    /// <returns>The new codes to show once, or null when the TOTP code was not accepted.</returns>
    public async Task<IReadOnlyList<string>?> RegenerateRecoveryCodesAsync(string userId, string? totpCode, CancellationToken cancellationToken) =>
        await ProveSecondFactorAsync(userId, totpCode, allowRecoveryCode: false, cancellationToken)
            ? await recoveryCodes.GenerateAsync(userId, cancellationToken)
            : null;

    /// <summary>
    /// Removes the user's TOTP and recovery codes after proof of a current factor, and tells every
    /// administrator (seed 000: all administrators are emailed when a user disables MFA).
    /// </summary>
    public async Task<bool> DisableAsync(string userId, string? code, CancellationToken cancellationToken)
    {
        if (!await ProveSecondFactorAsync(userId, code, allowRecoveryCode: true, cancellationToken))
        {
            return false;
        }

        await totp.DisableAsync(userId, actor: userId, cancellationToken);
        var user = await users.FindByIdAsync(userId);
        await administrators.NotifyMfaDisabledAsync(user?.DisplayName ?? user?.UserName ?? userId, user?.Email ?? "", "the user themselves", cancellationToken);
        return true;
    }
}
