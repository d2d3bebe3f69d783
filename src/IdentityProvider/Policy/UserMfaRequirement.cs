using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Policy;

/// <summary>
/// The per-user "MFA required" flag (Connectware, m2v): on, the user must set up a factor at the
/// next sign-in; off, a user who has not set one up is no longer asked (their factors, if any, stay).
/// </summary>
public sealed class UserMfaRequirement(IdentityProviderDbContext db, IAuditLog audit)
{
    /// <returns>False for an unknown user.</returns>
    public async Task<bool> SetAsync(string userId, bool required, string actor, CancellationToken cancellationToken)
    {
        var changed = await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.MfaRequired, required), cancellationToken);
        if (changed == 1)
        {
            await audit.RecordAsync(new AuditRecord(required ? AuditActions.UserMfaRequired : AuditActions.UserMfaNotRequired, actor,
                TargetType: "user", TargetId: userId), cancellationToken);
        }

        return changed == 1;
    }
}
