using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Persistence;
using IdentityProvider.Policy;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Users;

public sealed record UserAuditEntry(DateTimeOffset OccurredAt, string Action, string Actor, bool Succeeded, string? Details);

/// <summary>One user as an administrator sees them on the console's user page and through the admin API.</summary>
public sealed record UserDetail(
    string Id,
    string Name,
    string? UserName,
    string? Email,
    bool EmailConfirmed,
    DateTimeOffset CreatedAt,
    bool Disabled,
    string? Organisation,
    IReadOnlyList<string> Roles,
    MfaStatus Mfa,
    bool MfaRequired,
    int RecoveryCodes,
    bool Locked,
    DateTimeOffset? LockedUntil,
    PasskeyRequest? PasskeyRequest,
    IReadOnlyList<PasskeySummary> Passkeys,
    IReadOnlyList<UserAuditEntry> RecentAudit)
{
    /// <summary>Display names of the upstream providers linked to the user.</summary>
    public IReadOnlyList<string> UpstreamProviders { get; init; } = [];
}

/// <summary>Reads one user's profile, factors and recent audit entries; the facts come from the services that own them.</summary>
public sealed class UserDetails(
    IdentityProviderDbContext db, MfaPolicyInputs policyInputs, PasskeyManager passkeys, PasskeyRequests requests, TimeProvider time)
{
    public const int RecentAuditEntries = 20;

    /// <returns>Null for an unknown user.</returns>
    public async Task<UserDetail?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || await policyInputs.UserAsync(userId, cancellationToken) is not { } facts)
        {
            return null;
        }

        var audit = await db.AuditEvents.AsNoTracking()
            .Where(e => (e.TargetType == "user" && e.TargetId == userId) || e.Actor == userId)
            .OrderByDescending(e => e.Id)
            .Take(RecentAuditEntries)
            .Select(e => new UserAuditEntry(e.OccurredAt, e.Action, e.Actor, e.Outcome == Persistence.Entities.AuditOutcome.Success, e.Details))
            .ToListAsync(cancellationToken);
        var locked = user.LockoutEnd is { } end && end > time.GetUtcNow();
        return new UserDetail(user.Id, user.DisplayName ?? user.UserName ?? user.Id, user.UserName, user.Email, user.EmailConfirmed,
            user.CreatedAt, user.DisabledAt is not null, facts.OrganisationName, [.. facts.Roles.Order(StringComparer.Ordinal)],
            UserDirectory.StatusOf(facts.HasTotp, facts.Passkeys > 0), facts.MfaRequired, facts.RecoveryCodes, locked,
            locked ? user.LockoutEnd : null, await requests.FindAsync(userId, cancellationToken),
            await passkeys.ListAsync(userId, cancellationToken), audit)
        {
            UpstreamProviders = await db.UserLogins.AsNoTracking().Where(l => l.UserId == userId)
                .Select(l => l.ProviderDisplayName ?? l.LoginProvider).OrderBy(n => n).ToListAsync(cancellationToken),
        };
    }
}
