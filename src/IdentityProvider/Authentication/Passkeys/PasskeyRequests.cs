using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Authentication.Passkeys;

public sealed record PasskeyRequest(DateTimeOffset RequestedAt, string RequestedBy);

/// <summary>
/// An administrator's "Request new passkey" (m2v): until the user registers one, their sign-ins
/// stop at the passkey registration page. A request can be withdrawn while it is still pending.
/// </summary>
public sealed class PasskeyRequests(IdentityProviderDbContext db, IAuditLog audit, TimeProvider time)
{
    public async Task<PasskeyRequest?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var row = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.PasskeyRequestedAt, u.PasskeyRequestedBy }).SingleOrDefaultAsync(cancellationToken);
        return row?.PasskeyRequestedAt is { } at ? new PasskeyRequest(at, row.PasskeyRequestedBy ?? "") : null;
    }

    /// <summary>Idempotent: a pending request is kept as it is, so its time still says when it was first asked.</summary>
    /// <exception cref="InvalidOperationException">no such user</exception>
    public async Task<PasskeyRequest> RequestAsync(string userId, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var set = await db.Users.Where(u => u.Id == userId && u.PasskeyRequestedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasskeyRequestedAt, now).SetProperty(u => u.PasskeyRequestedBy, actor), cancellationToken);
        if (set == 1)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.PasskeyRequested, actor, TargetType: "user", TargetId: userId), cancellationToken);
        }

        return await FindAsync(userId, cancellationToken) ?? throw new InvalidOperationException("No such user.");
    }

    /// <returns>False when no request was pending.</returns>
    public async Task<bool> CancelAsync(string userId, string actor, CancellationToken cancellationToken)
    {
        var cleared = await db.Users.Where(u => u.Id == userId && u.PasskeyRequestedAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasskeyRequestedAt, (DateTimeOffset?)null).SetProperty(u => u.PasskeyRequestedBy, (string?)null), cancellationToken);
        if (cleared == 1)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.PasskeyRequestCancelled, actor, TargetType: "user", TargetId: userId), cancellationToken);
        }

        return cleared == 1;
    }
}
