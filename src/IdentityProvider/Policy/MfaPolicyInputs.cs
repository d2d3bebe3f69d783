using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Persistence;
using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Stores;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Policy;

/// <summary>Gathers, from the database, the facts the evaluator weighs for a user, a client and a request.</summary>
public sealed class MfaPolicyInputs(IdentityProviderDbContext db, MfaSettingsStore settings, IClientStore clients, TimeProvider time)
{
    /// <returns>Null for an unknown user.</returns>
    public async Task<UserFacts?> UserAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Id, u.Email, u.EmailConfirmed, u.MfaRequired, u.MfaEnrolmentDeferrals, u.MfaEnrolmentDueSince })
            .SingleOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return null;
        }

        var roles = await db.UserRoles.Where(r => r.UserId == userId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToListAsync(cancellationToken);
        var organisation = await db.OrganisationMembers.Where(m => m.UserId == userId)
            .Join(db.Organisations, m => m.OrganisationId, o => o.Id, (_, o) => new { o.Name, o.RequireMfa })
            .SingleOrDefaultAsync(cancellationToken);
        var hasTotp = await db.UserTotpSecrets.AnyAsync(s => s.UserId == userId && s.ActivatedAt != null, cancellationToken);
        var passkeys = await db.UserPasskeys.CountAsync(p => p.UserId == userId, cancellationToken);
        var recoveryCodes = await db.RecoveryCodes.CountAsync(c => c.UserId == userId, cancellationToken);
        return new UserFacts(user.Id, roles, organisation?.Name, organisation?.RequireMfa ?? false, user.MfaRequired, hasTotp, passkeys,
            recoveryCodes, !string.IsNullOrEmpty(user.Email) && user.EmailConfirmed, user.MfaEnrolmentDeferrals, user.MfaEnrolmentDueSince)
        {
            IsAdministrator = roles.Contains(Roles.Administrator, StringComparer.OrdinalIgnoreCase),
        };
    }

    /// <param name="request">The authorization request the sign-in is for, if any.</param>
    /// <returns>Null for an unknown user.</returns>
    public async Task<MfaPolicyInput?> ForSignInAsync(
        string userId, IReadOnlyList<string> amr, InteractionContext? request, bool rememberedBrowser, FederatedSignIn? federation, CancellationToken cancellationToken)
    {
        if (await UserAsync(userId, cancellationToken) is not { } user)
        {
            return null;
        }

        var client = request is null ? null : await clients.FindByIdAsync(request.ClientId, cancellationToken);
        return new MfaPolicyInput(
            await settings.GetAsync(cancellationToken),
            user,
            new SignInFacts(amr, time.GetUtcNow(), rememberedBrowser, federation),
            client is null ? null : new ClientFacts(client.ClientId, client.DisplayName, client.RequiredAcr),
            request is null ? null : new RequestFacts(request.AcrValues, request.ReauthenticationRequested));
    }
}
