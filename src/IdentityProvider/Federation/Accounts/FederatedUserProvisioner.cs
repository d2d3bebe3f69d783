using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Federation.Accounts;

/// <summary>
/// Creates the local user of an upstream account on its first sign-in (just in time), when the
/// provider allows it: no password, the upstream's email (confirmed only if the upstream verified
/// it), its display name, and the local roles its groups name.
/// </summary>
public sealed partial class FederatedUserProvisioner(
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    IAuditLog audit,
    TimeProvider time,
    ILogger<FederatedUserProvisioner> logger)
{
    /// <returns>The new user with the external login added, or null when the upstream identity cannot make a valid user (no usable email).</returns>
    public async Task<ApplicationUser?> ProvisionAsync(UpstreamProvider provider, UpstreamIdentity identity, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(identity.Email) || identity.Email.Length > 256)
        {
            LogRefused(logger, provider.Id, "no usable email");
            return null;
        }

        var user = new ApplicationUser
        {
            UserName = identity.Email,
            Email = identity.Email,
            EmailConfirmed = identity.EmailVerified,
            DisplayName = identity.Name is { Length: > 0 and <= 256 } name ? name : null,
            CreatedAt = time.GetUtcNow(),
        };
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            LogRefused(logger, provider.Id, string.Join(", ", created.Errors.Select(e => e.Code)));
            return null;
        }

        // The (provider, subject) key is unique in AspNetUserLogins: a parallel first sign-in of the
        // same upstream account that got there first wins, and this user goes again.
        var login = await users.AddLoginAsync(user, new UserLoginInfo(provider.Id, identity.Subject, provider.DisplayName));
        if (!login.Succeeded)
        {
            await users.DeleteAsync(user);
            LogRefused(logger, provider.Id, string.Join(", ", login.Errors.Select(e => e.Code)));
            return null;
        }

        var granted = new List<string>();
        foreach (var group in identity.Groups.Distinct(StringComparer.Ordinal))
        {
            // Administration is never granted by an upstream's group claim: whoever controls the
            // upstream's groups would otherwise hold this provider's keys. An administrator grants it here.
            if (string.Equals(group, Roles.Administrator, StringComparison.OrdinalIgnoreCase) || !await roles.RoleExistsAsync(group))
            {
                continue;
            }

            if ((await users.AddToRoleAsync(user, group)).Succeeded)
            {
                granted.Add(group);
            }
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.FederationUserProvisioned, user.Id, TargetType: "user", TargetId: user.Id,
            Details: $"provider: {provider.Id}; roles: {(granted.Count == 0 ? "none" : string.Join(", ", granted))}"), cancellationToken);
        return user;
    }

    [LoggerMessage(7450, LogLevel.Information, "Provisioning a user from upstream provider {ProviderId} failed: {Reason}")]
    private static partial void LogRefused(ILogger logger, string providerId, string reason);
}
