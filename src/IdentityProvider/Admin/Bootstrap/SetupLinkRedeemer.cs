using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Bootstrap;

public enum SetupLinkState
{
    Valid,
    Unknown,
    Used,
    Expired,
    AdministratorExists,
}

public sealed record SetupLinkCheck(SetupLinkState State, string? BoundEmail);

public sealed record AdministratorCreation(SetupLinkState State, IReadOnlyList<string> Errors)
{
    public bool Succeeded => State == SetupLinkState.Valid && Errors.Count == 0;
}

/// <summary>Checks a setup link and, once, turns it into the first administrator account.</summary>
public sealed class SetupLinkRedeemer(
    IdentityProviderDbContext db,
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    IAuditLog audit,
    TimeProvider time)
{
    public async Task<SetupLinkCheck> CheckAsync(string? token, CancellationToken cancellationToken)
    {
        var row = await FindAsync(token, cancellationToken);
        return new SetupLinkCheck(await StateOfAsync(row, cancellationToken), row?.Email);
    }

    public async Task<AdministratorCreation> CreateAdministratorAsync(
        string? token, string email, string? displayName, string password, CancellationToken cancellationToken)
    {
        var row = await FindAsync(token, cancellationToken);
        var state = await StateOfAsync(row, cancellationToken);
        if (state != SetupLinkState.Valid)
        {
            await RecordRejectionAsync(state, row, cancellationToken);
            return new AdministratorCreation(state, []);
        }

        if (row!.Email is not null && !string.Equals(row.Email, email.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return new AdministratorCreation(SetupLinkState.Valid, [$"This link is for {row.Email}."]);
        }

        var user = new ApplicationUser
        {
            UserName = email.Trim(),
            Email = email.Trim(),
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim(),
            CreatedAt = time.GetUtcNow(),
        };
        var passwordErrors = await ValidatePasswordAsync(user, password);
        if (passwordErrors.Count > 0)
        {
            // Nothing is consumed: the person can correct the password with the same link.
            return new AdministratorCreation(SetupLinkState.Valid, passwordErrors);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Single use is decided by the database, not by the check above: of several concurrent
        // redemptions (on one node or many), exactly one update matches the unused row.
        var now = time.GetUtcNow();
        var claimed = await db.SetupTokens
            .Where(t => t.Id == row.Id && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        if (claimed != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            await RecordRejectionAsync(SetupLinkState.Used, row, cancellationToken);
            return new AdministratorCreation(SetupLinkState.Used, []);
        }

        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new AdministratorCreation(SetupLinkState.Valid, created.Errors.Select(e => e.Description).ToList());
        }

        if (!await roles.RoleExistsAsync(Roles.Administrator))
        {
            await roles.CreateAsync(new IdentityRole(Roles.Administrator));
        }

        await users.AddToRoleAsync(user, Roles.Administrator);
        await audit.RecordAsync(
            new AuditRecord(AuditActions.AdministratorCreated, user.Id, TargetType: "user", TargetId: user.Id,
                Details: $"first administrator created through setup link {row.Id}"),
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new AdministratorCreation(SetupLinkState.Valid, []);
    }

    private async Task<SetupToken?> FindAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = SetupTokenHasher.Hash(token);
        return await db.SetupTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
    }

    private async Task<SetupLinkState> StateOfAsync(SetupToken? row, CancellationToken cancellationToken)
    {
        if (row is null)
        {
            return SetupLinkState.Unknown;
        }

        if (row.UsedAt is not null)
        {
            return SetupLinkState.Used;
        }

        if (await AdministratorDirectory.AnyAdministratorAsync(db, cancellationToken))
        {
            return SetupLinkState.AdministratorExists;
        }

        return row.ExpiresAt <= time.GetUtcNow() ? SetupLinkState.Expired : SetupLinkState.Valid;
    }

    private async Task<List<string>> ValidatePasswordAsync(ApplicationUser user, string password)
    {
        var errors = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            errors.AddRange(result.Errors.Select(e => e.Description));
        }

        return errors;
    }

    private Task RecordRejectionAsync(SetupLinkState state, SetupToken? row, CancellationToken cancellationToken) =>
        audit.RecordAsync(
            new AuditRecord(AuditActions.SetupLinkRejected, AuditActors.Anonymous, AuditOutcome.Failure,
                TargetType: row is null ? null : "setup_token", TargetId: row?.Id.ToString(), Details: state.ToString()),
            cancellationToken);
}
