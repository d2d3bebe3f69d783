using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Authentication.Passkeys;

/// <summary>
/// Keeps Identity's <c>TwoFactorEnabled</c> true exactly while the user has a strong factor
/// (an authenticator app or a passkey), since that flag is what sends a password sign-in on to a
/// second step; and tells administrators when the last strong factor goes (seed 000). Every
/// change of passkeys changes the user's security stamp, which forgets the browsers the user
/// chose not to be asked on again.
/// </summary>
public sealed class PasskeyFactorState(IdentityProviderDbContext db, UserManager<ApplicationUser> users, AdministratorNotifier administrators)
{
    /// <summary>A passkey was added: the account now has a second factor, and an administrator's request for one is met.</summary>
    public async Task PasskeyAddedAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        user.TwoFactorEnabled = true;
        user.PasskeyRequestedAt = null;
        user.PasskeyRequestedBy = null;
        await UpdateAsync(user);
    }

    /// <summary>A passkey was removed; if it was the last strong factor, two-step sign-in ends and administrators are told.</summary>
    /// <param name="actorDescription">for the notice, e.g. "the user themselves" or "an administrator (root)"</param>
    public async Task PasskeyRemovedAsync(ApplicationUser user, string actorDescription, CancellationToken cancellationToken)
    {
        if (!user.TwoFactorEnabled || await HasStrongFactorAsync(user.Id, cancellationToken))
        {
            await UpdateAsync(user);
            return;
        }

        user.TwoFactorEnabled = false;
        await UpdateAsync(user);
        await administrators.NotifyMfaDisabledAsync(user.DisplayName ?? user.UserName ?? user.Id, user.Email ?? "", actorDescription, cancellationToken);
    }

    public async Task<bool> HasStrongFactorAsync(string userId, CancellationToken cancellationToken) =>
        await db.UserPasskeys.AnyAsync(p => p.UserId == userId, cancellationToken)
        || await db.UserTotpSecrets.AnyAsync(s => s.UserId == userId && s.ActivatedAt != null, cancellationToken);

    /// <summary>Saves the user with a new security stamp (which Identity's plain update would keep).</summary>
    private async Task UpdateAsync(ApplicationUser user)
    {
        var updated = await users.UpdateSecurityStampAsync(user);
        if (!updated.Succeeded)
        {
            throw new InvalidOperationException("Could not update the user's factors: " + string.Join(" ", updated.Errors.Select(e => e.Code)));
        }
    }
}
