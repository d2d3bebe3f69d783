using System.Buffers.Text;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Configurations;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Authentication.Passkeys;

/// <param name="Id">The credential id, base64url: how pages and the admin API name a passkey.</param>
public sealed record PasskeySummary(
    string Id,
    string Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    bool IsBackedUp,
    bool IsBackupEligible,
    IReadOnlyList<string> Transports);

/// <summary>A user's passkeys as the security page and administrators see them: list, rename, delete.</summary>
public sealed class PasskeyManager(
    IdentityProviderDbContext db,
    UserManager<ApplicationUser> users,
    PasskeyFactorState factorState,
    IAuditLog audit)
{
    public async Task<IReadOnlyList<PasskeySummary>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var rows = await db.UserPasskeys.AsNoTracking()
            .Where(p => p.UserId == userId)
            .Select(p => new { p.CredentialId, p.Data, LastUsedAt = EF.Property<DateTimeOffset?>(p, PasskeyColumns.LastUsedAt) })
            .ToListAsync(cancellationToken);
        return [.. rows
            .Select(r => new PasskeySummary(Base64Url.EncodeToString(r.CredentialId), r.Data.Name ?? "Passkey", r.Data.CreatedAt, r.LastUsedAt,
                r.Data.IsBackedUp, r.Data.IsBackupEligible, r.Data.Transports ?? []))
            .OrderBy(p => p.CreatedAt)];
    }

    public Task<int> CountAsync(string userId, CancellationToken cancellationToken) =>
        db.UserPasskeys.CountAsync(p => p.UserId == userId, cancellationToken);

    /// <returns>False when the user has no passkey with that id.</returns>
    public async Task<bool> RenameAsync(string userId, string passkeyId, string name, CancellationToken cancellationToken)
    {
        if (await FindAsync(userId, passkeyId) is not ({ } user, { } passkey))
        {
            return false;
        }

        var previous = passkey.Name;
        passkey.Name = name;
        var updated = await users.AddOrUpdatePasskeyAsync(user, passkey);
        if (!updated.Succeeded)
        {
            return false;
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.PasskeyRenamed, userId, TargetType: "user", TargetId: userId,
            Details: $"'{previous}' → '{name}'"), cancellationToken);
        return true;
    }

    /// <param name="actor">who: the user's own id, an administrator's id, or an API client</param>
    /// <returns>False when the user has no passkey with that id.</returns>
    public async Task<bool> DeleteAsync(string userId, string passkeyId, string actor, CancellationToken cancellationToken)
    {
        if (await FindAsync(userId, passkeyId) is not ({ } user, { } passkey))
        {
            return false;
        }

        var removed = await users.RemovePasskeyAsync(user, passkey.CredentialId);
        if (!removed.Succeeded)
        {
            return false;
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.PasskeyRemoved, actor, TargetType: "user", TargetId: userId,
            Details: $"passkey '{passkey.Name}'"), cancellationToken);
        await factorState.PasskeyRemovedAsync(user, actor == userId ? "the user themselves" : $"an administrator ({actor})", cancellationToken);
        return true;
    }

    /// <summary>True when the id is well-formed base64url of a plausible credential id (WebAuthn §4: at most 1023 bytes).</summary>
    public static bool IsWellFormedId(string? passkeyId) =>
        !string.IsNullOrEmpty(passkeyId) && passkeyId.Length <= 1400 && Base64Url.IsValid(passkeyId);

    private async Task<(ApplicationUser, UserPasskeyInfo)?> FindAsync(string userId, string passkeyId)
    {
        if (!IsWellFormedId(passkeyId) || await users.FindByIdAsync(userId) is not { } user)
        {
            return null;
        }

        var passkey = await users.GetPasskeyAsync(user, Base64Url.DecodeFromChars(passkeyId));
        return passkey is null ? null : (user, passkey);
    }
}
