using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.Passkeys;

/// <summary>
/// Challenges issued to browsers, kept in the database so that any node can finish a ceremony
/// another started, and used at most once: the request that completes a ceremony deletes its row
/// first, and only the request whose DELETE removed it goes on.
/// </summary>
public sealed class PasskeyCeremonyStore(IdentityProviderDbContext db, IOptions<PasskeyOptions> options, TimeProvider time)
{
    public async Task<string> StartAsync(string purpose, string? userId, string state, string? passkeyName, CancellationToken cancellationToken)
    {
        var ceremony = new PasskeyCeremony
        {
            Id = OpaqueTokens.New(),
            Purpose = purpose,
            UserId = userId,
            PasskeyName = passkeyName,
            State = state,
            ExpiresAt = time.GetUtcNow() + options.Value.CeremonyLifetime,
        };
        db.PasskeyCeremonies.Add(ceremony);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(ceremony).State = EntityState.Detached;
        return ceremony.Id;
    }

    /// <summary>
    /// Takes the ceremony for <paramref name="purpose"/> out of the store. Null when it does not
    /// exist, was for something else, has expired, or another request took it first.
    /// </summary>
    public async Task<PasskeyCeremony?> TakeAsync(string? id, string purpose, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64)
        {
            return null;
        }

        var ceremony = await db.PasskeyCeremonies.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (ceremony is null)
        {
            return null;
        }

        // Whatever the outcome, this challenge has now been answered once.
        var taken = await db.PasskeyCeremonies.Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken);
        return taken == 1 && ceremony.Purpose == purpose && ceremony.ExpiresAt > time.GetUtcNow() ? ceremony : null;
    }
}
