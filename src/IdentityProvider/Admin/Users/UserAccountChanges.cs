using System.ComponentModel.DataAnnotations;
using System.Data;
using System.Data.Common;
using IdentityProvider.Account;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Admin.Users;

/// <summary>What an administrator sets on a user's account; the same fields for a new user and an edit.</summary>
/// <param name="OrganisationId">Null: in no organisation.</param>
/// <param name="MfaRequired">Used when creating; an edit leaves the flag to <see cref="Policy.UserMfaRequirement"/>.</param>
public sealed record UserAccountInput(string? Email, string? DisplayName, string? OrganisationId, IReadOnlyList<string>? Roles, bool MfaRequired = false);

public enum UserAccountOutcome
{
    Done,

    /// <summary>The input was refused field by field (<see cref="UserAccountResult.Errors"/>); nothing changed.</summary>
    Invalid,
    UnknownUser,

    /// <summary>Administrators may not disable their own account.</summary>
    Self,

    /// <summary>The change would leave no enabled administrator.</summary>
    LastAdministrator,
}

/// <param name="Errors">Field name (<c>email</c>, <c>displayName</c>, <c>organisationId</c>, <c>roles</c>) → what is wrong with it.</param>
public sealed record UserAccountResult(UserAccountOutcome Outcome, string? UserId = null, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static UserAccountResult Invalid(string field, string error) => new(UserAccountOutcome.Invalid, Errors: new Dictionary<string, string[]> { [field] = [error] });
}

/// <summary>
/// Creating, editing, disabling and enabling accounts, for the console and the admin API alike. No
/// administrator ever types a user's password: a new user gets an invitation link, an existing one
/// a reset link (<see cref="PasswordResetLinks"/>). Every change is audited with actor and target.
/// </summary>
public sealed class UserAccountChanges(
    IdentityProviderDbContext db,
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    OrganisationDirectory organisations,
    PasswordResetLinks links,
    UserSessionRevocation revocation,
    LastAdministratorGuard administrators,
    IAuditLog audit,
    TimeProvider time)
{
    public const int MaxEmailLength = 256;
    public const int MaxDisplayNameLength = 200;

    public const string DuplicateEmail = "A user with this email address already exists.";
    public const string LastAdministratorRole = "This is the last enabled administrator: the administrator role cannot be removed.";

    /// <summary>Creates the account (no password) and emails the invitation link.</summary>
    public async Task<UserAccountResult> CreateAsync(UserAccountInput input, string actor, CancellationToken cancellationToken)
    {
        var (email, displayName, roleNames, errors) = await ValidateAsync(input, cancellationToken);
        if (!errors.ContainsKey("email") && (await users.FindByEmailAsync(email) is not null || await users.FindByNameAsync(email) is not null))
        {
            errors["email"] = [DuplicateEmail];
        }

        if (errors.Count > 0)
        {
            return new UserAccountResult(UserAccountOutcome.Invalid, Errors: errors);
        }

        var user = new ApplicationUser
        {
            // The address is the sign-in name: the unique username index then also keeps two parallel
            // creations of one address from both succeeding (Identity's email index is not unique).
            UserName = email, Email = email, DisplayName = displayName, CreatedAt = time.GetUtcNow(), MfaRequired = input.MfaRequired,
        };
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            IdentityResult created;
            try
            {
                created = await users.CreateAsync(user);
            }
            catch (DbUpdateException)
            {
                return UserAccountResult.Invalid("email", DuplicateEmail);
            }

            if (!created.Succeeded)
            {
                return new UserAccountResult(UserAccountOutcome.Invalid, Errors: EmailErrors(created));
            }

            if (roleNames.Count > 0)
            {
                Check(await users.AddToRolesAsync(user, roleNames));
            }

            if (input.OrganisationId is not null)
            {
                await organisations.SetMembershipAsync(user.Id, input.OrganisationId, actor, cancellationToken);
            }

            await audit.RecordAsync(new AuditRecord(AuditActions.UserCreated, actor, TargetType: "user", TargetId: user.Id,
                Details: $"roles: {(roleNames.Count == 0 ? "none" : string.Join(" ", roleNames))}; mfa required: {(input.MfaRequired ? "yes" : "no")}"),
                cancellationToken);
            await links.SendAsync(user.Id, invitation: true, actor, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return new UserAccountResult(UserAccountOutcome.Done, user.Id);
    }

    /// <summary>
    /// Sets display name, email, roles and organisation. A new address is not confirmed until the
    /// user proves the mailbox (a reset link), and renews the security stamp; so does a change of roles.
    /// </summary>
    public async Task<UserAccountResult> UpdateAsync(string userId, UserAccountInput input, string actor, CancellationToken cancellationToken)
    {
        var (email, displayName, roleNames, errors) = await ValidateAsync(input, cancellationToken);
        if (errors.Count > 0)
        {
            return await users.FindByIdAsync(userId) is null
                ? new UserAccountResult(UserAccountOutcome.UnknownUser)
                : new UserAccountResult(UserAccountOutcome.Invalid, Errors: errors);
        }

        return await administrators.RunAsync(async () =>
        {
            if (await users.FindByIdAsync(userId) is not { } user)
            {
                return new UserAccountResult(UserAccountOutcome.UnknownUser);
            }

            var changed = new List<string>();
            var current = await users.GetRolesAsync(user);
            var removed = current.Where(r => !roleNames.Contains(r, StringComparer.OrdinalIgnoreCase)).ToList();
            var added = roleNames.Where(r => !current.Contains(r, StringComparer.OrdinalIgnoreCase)).ToList();
            if (user.DisabledAt is null && removed.Contains(Roles.Administrator, StringComparer.OrdinalIgnoreCase)
                && !await administrators.OtherEnabledAdministratorExistsAsync(userId, cancellationToken))
            {
                return UserAccountResult.Invalid("roles", LastAdministratorRole);
            }

            if (!string.Equals(user.DisplayName, displayName, StringComparison.Ordinal))
            {
                user.DisplayName = displayName;
                changed.Add("displayName");
            }

            if (!string.Equals(users.NormalizeEmail(user.Email), users.NormalizeEmail(email), StringComparison.Ordinal)
                || !string.Equals(user.Email, email, StringComparison.Ordinal))
            {
                // The sign-in name follows the address when it was the address (as for users created here).
                if (string.Equals(user.UserName, user.Email, StringComparison.OrdinalIgnoreCase))
                {
                    user.UserName = email;
                }

                user.EmailConfirmed &= string.Equals(users.NormalizeEmail(user.Email), users.NormalizeEmail(email), StringComparison.Ordinal);
                user.Email = email;
                changed.Add("email");
            }

            if (removed.Count > 0 || added.Count > 0)
            {
                changed.Add("roles");
            }

            if (changed.Count > 0)
            {
                // Saves the profile; a new stamp tells remembered browsers and other stamp readers that the account changed.
                var saved = changed.Contains("email") || changed.Contains("roles") ? await users.UpdateSecurityStampAsync(user) : await users.UpdateAsync(user);
                if (!saved.Succeeded)
                {
                    return new UserAccountResult(UserAccountOutcome.Invalid, Errors: EmailErrors(saved));
                }
            }

            if (removed.Count > 0)
            {
                Check(await users.RemoveFromRolesAsync(user, removed));
            }

            if (added.Count > 0)
            {
                Check(await users.AddToRolesAsync(user, added));
            }

            var organisation = await db.OrganisationMembers.Where(m => m.UserId == userId).Select(m => m.OrganisationId).FirstOrDefaultAsync(cancellationToken);
            if (organisation != input.OrganisationId)
            {
                await organisations.SetMembershipAsync(userId, input.OrganisationId, actor, cancellationToken);
                changed.Add("organisation");
            }

            if (changed.Count > 0)
            {
                await audit.RecordAsync(new AuditRecord(AuditActions.UserUpdated, actor, TargetType: "user", TargetId: userId,
                    Details: "changed: " + string.Join(", ", changed)), cancellationToken);
            }

            return new UserAccountResult(UserAccountOutcome.Done, userId);
        }, IsDone, cancellationToken);
    }

    /// <summary>
    /// Disables the account: no sign-in (the factors refuse it with the generic error), and every
    /// session and grant ends now, on every node. Disabling a disabled account changes nothing.
    /// </summary>
    public Task<UserAccountResult> DisableAsync(string userId, string actor, CancellationToken cancellationToken)
    {
        if (userId == actor)
        {
            return Task.FromResult(new UserAccountResult(UserAccountOutcome.Self));
        }

        return administrators.RunAsync(async () =>
        {
            if (await users.FindByIdAsync(userId) is not { } user)
            {
                return new UserAccountResult(UserAccountOutcome.UnknownUser);
            }

            if (user.DisabledAt is not null)
            {
                return new UserAccountResult(UserAccountOutcome.Done, userId);
            }

            if (await users.IsInRoleAsync(user, Roles.Administrator) && !await administrators.OtherEnabledAdministratorExistsAsync(userId, cancellationToken))
            {
                return new UserAccountResult(UserAccountOutcome.LastAdministrator);
            }

            user.DisabledAt = time.GetUtcNow();
            Check(await users.UpdateSecurityStampAsync(user));
            var (sessions, grants) = await revocation.EndAllAsync(userId, cancellationToken);
            await audit.RecordAsync(new AuditRecord(AuditActions.UserDisabled, actor, TargetType: "user", TargetId: userId,
                Details: $"sessions ended: {sessions}, grants revoked: {grants}"), cancellationToken);
            return new UserAccountResult(UserAccountOutcome.Done, userId);
        }, IsDone, cancellationToken);
    }

    /// <summary>Lets the user sign in again; sessions and grants ended by the disabling stay ended.</summary>
    public async Task<UserAccountResult> EnableAsync(string userId, string actor, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return new UserAccountResult(UserAccountOutcome.UnknownUser);
        }

        var enabled = await db.Users.Where(u => u.Id == userId && u.DisabledAt != null)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.DisabledAt, (DateTimeOffset?)null), cancellationToken);
        if (enabled == 1)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.UserEnabled, actor, TargetType: "user", TargetId: userId), cancellationToken);
        }

        return new UserAccountResult(UserAccountOutcome.Done, userId);
    }

    /// <summary>Emails the user a single-use link to set a new password; the current one keeps working until then.</summary>
    public async Task<UserAccountResult> SendPasswordResetAsync(string userId, string actor, CancellationToken cancellationToken) =>
        !await db.Users.AnyAsync(u => u.Id == userId, cancellationToken) ? new UserAccountResult(UserAccountOutcome.UnknownUser)
        : await links.SendAsync(userId, invitation: false, actor, cancellationToken) ? new UserAccountResult(UserAccountOutcome.Done, userId)
        : UserAccountResult.Invalid("email", "The user has no email address to send the link to.");

    private static bool IsDone(UserAccountResult result) => result.Outcome == UserAccountOutcome.Done;

    private async Task<(string Email, string? DisplayName, List<string> Roles, Dictionary<string, string[]> Errors)> ValidateAsync(
        UserAccountInput input, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var email = input.Email?.Trim() ?? "";
        if (email.Length == 0)
        {
            errors["email"] = ["An email address is required."];
        }
        else if (email.Length > MaxEmailLength || !new EmailAddressAttribute().IsValid(email) || email.Any(char.IsWhiteSpace))
        {
            errors["email"] = ["This is not a valid email address."];
        }

        var displayName = string.IsNullOrWhiteSpace(input.DisplayName) ? null : input.DisplayName.Trim();
        if (displayName is { Length: > MaxDisplayNameLength })
        {
            errors["displayName"] = [$"The display name is at most {MaxDisplayNameLength} characters."];
        }

        if (input.OrganisationId is { } organisationId && await organisations.FindAsync(organisationId, cancellationToken) is null)
        {
            errors["organisationId"] = ["There is no such organisation."];
        }

        var names = new List<string>();
        var unknown = new List<string>();
        foreach (var requested in (input.Roles ?? []).Where(r => !string.IsNullOrWhiteSpace(r)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (requested.Length <= 256 && await roles.FindByNameAsync(requested) is { Name: { } name })
            {
                names.Add(name);
            }
            else
            {
                unknown.Add(requested);
            }
        }

        if (unknown.Count > 0)
        {
            errors["roles"] = [$"Unknown role: {string.Join(", ", unknown)}. Only existing roles can be given."];
        }

        return (email, displayName, names, errors);
    }

    /// <summary>Identity's refusals of a user row are about the address (it is the sign-in name too).</summary>
    private static Dictionary<string, string[]> EmailErrors(IdentityResult result) => new(StringComparer.Ordinal)
    {
        ["email"] = [.. result.Errors.Select(e => e.Code is "DuplicateEmail" or "DuplicateUserName" ? DuplicateEmail : e.Description).Distinct()],
    };

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Identity refused the change: " + string.Join(" ", result.Errors.Select(e => e.Code)));
        }
    }
}
