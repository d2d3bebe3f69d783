using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Users;

public enum DisableMfaOutcome
{
    Disabled,
    UnknownUser,

    /// <summary>No authenticator app and no recovery codes: nothing removed, nobody notified.</summary>
    NothingToDisable,
}

/// <summary>
/// What an administrator does to a user's account that no single factor service owns: turning
/// their MFA off (the TOTP service removes, the notifier tells every administrator) and unlocking.
/// </summary>
public sealed class UserAccountActions(
    IdentityProviderDbContext db, TotpAuthenticator totp, AdministratorNotifier administrators, IAuditLog audit)
{
    /// <param name="actorId">The audit trail's actor: the administrator's id, or <c>client:&lt;id&gt;</c>.</param>
    /// <param name="actorText">How the notice names who did it, e.g. "an administrator (root)".</param>
    public async Task<DisableMfaOutcome> DisableMfaAsync(string userId, string actorId, string actorText, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.DisplayName, u.UserName, u.Email }).SingleOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return DisableMfaOutcome.UnknownUser;
        }

        // A pending (never activated) enrolment is no factor: nothing to tell the administrators about.
        if (!await db.UserTotpSecrets.AnyAsync(s => s.UserId == userId && s.ActivatedAt != null, cancellationToken)
            && !await db.RecoveryCodes.AnyAsync(c => c.UserId == userId, cancellationToken))
        {
            return DisableMfaOutcome.NothingToDisable;
        }

        await totp.DisableAsync(userId, actorId, cancellationToken);
        // The seed: every administrator hears of a user losing their second factor, whoever removed it.
        await administrators.NotifyMfaDisabledAsync(user.DisplayName ?? user.UserName ?? userId, user.Email ?? "", actorText, cancellationToken);
        return DisableMfaOutcome.Disabled;
    }

    /// <summary>
    /// Ends a lockout, timed or permanent, and zeroes every failure counter the sign-in gate keeps,
    /// so the user gets the full number of attempts again, and the next lock is a first one.
    /// </summary>
    /// <returns>False for an unknown user.</returns>
    public async Task<bool> UnlockAsync(string userId, string actorId, CancellationToken cancellationToken)
    {
        var changed = await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.LockoutEnd, (DateTimeOffset?)null)
            .SetProperty(u => u.AccessFailedCount, 0)
            .SetProperty(u => u.SecondFactorFailedCount, 0)
            .SetProperty(u => u.ConsecutiveFailedSignIns, 0)
            .SetProperty(u => u.SuccessiveLockouts, 0), cancellationToken);
        if (changed == 1)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.UserUnlocked, actorId, TargetType: "user", TargetId: userId), cancellationToken);
        }

        return changed == 1;
    }

    /// <summary>How notices name an administrator acting in the console or with their own token.</summary>
    public async Task<string> AdministratorTextAsync(string administratorId, CancellationToken cancellationToken)
    {
        var name = await db.Users.AsNoTracking().Where(u => u.Id == administratorId)
            .Select(u => u.UserName ?? u.DisplayName).SingleOrDefaultAsync(cancellationToken);
        return $"an administrator ({name ?? administratorId})";
    }
}
