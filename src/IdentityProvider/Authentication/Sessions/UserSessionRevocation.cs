using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Authentication.Sessions;

/// <summary>
/// Ends everything a user is signed in with, on every node at once: their sign-in sessions (the
/// rows behind the session cookies) and their grants, so no refresh token of theirs is honoured
/// again (RFC 6749 §10.4). Used when an administrator disables the account and when the password
/// is reset; remembered browsers end with the security stamp those changes renew.
/// </summary>
public sealed class UserSessionRevocation(IdentityProviderDbContext db, TimeProvider time)
{
    /// <returns>How many sessions and how many grants were ended.</returns>
    public async Task<(int Sessions, int Grants)> EndAllAsync(string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sessions = await db.UserSessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        // Revoked rather than deleted: introspection keeps answering "inactive" for their access tokens.
        var grants = await db.Grants.Where(g => g.Subject == userId && g.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(g => g.RevokedAt, now), cancellationToken);
        return (sessions, grants);
    }
}
