using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.Sessions;

/// <summary>
/// Keeps sign-in sessions in the database; the cookie holds only the session id. Any node can
/// read a session, and deleting its row ends it everywhere at once (sign-out, an administrator
/// disabling a user), which a self-contained cookie could not do.
/// </summary>
public sealed class DatabaseTicketStore(
    IDbContextFactory<IdentityProviderDbContext> contexts,
    IDataProtectionProvider dataProtection,
    IOptions<SessionOptions> options,
    TimeProvider time) : ITicketStore
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("IdentityProvider.Sessions.v1");

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var id = ticket.Principal.FindFirst(SessionClaims.SessionId)?.Value
            ?? throw new InvalidOperationException("A session ticket must carry a sid claim.");
        await using var db = await contexts.CreateDbContextAsync();
        db.UserSessions.Add(new UserSessionEntity
        {
            Id = id,
            UserId = ticket.Principal.FindFirst(SessionClaims.Subject)?.Value ?? "",
            Ticket = Protect(ticket),
            CreatedAt = time.GetUtcNow(),
            ExpiresAt = ExpiryOf(ticket),
        });
        await db.SaveChangesAsync();
        return id;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var protectedTicket = Protect(ticket);
        var expires = ExpiryOf(ticket);
        await db.UserSessions.Where(s => s.Id == key)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.Ticket, protectedTicket).SetProperty(s => s.ExpiresAt, expires));
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var now = time.GetUtcNow();
        var row = await db.UserSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == key && s.ExpiresAt > now);
        if (row is null)
        {
            return null;
        }

        try
        {
            return TicketSerializer.Default.Deserialize(_protector.Unprotect(row.Ticket));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Protected with a key that no longer exists: the session is unusable, not an error.
            return null;
        }
    }

    public async Task RemoveAsync(string key)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.UserSessions.Where(s => s.Id == key).ExecuteDeleteAsync();
    }

    private byte[] Protect(AuthenticationTicket ticket) => _protector.Protect(TicketSerializer.Default.Serialize(ticket));

    // The cookie handler always sets ExpiresUtc from the idle timeout; the fallback only guards a caller that does not.
    private DateTimeOffset ExpiryOf(AuthenticationTicket ticket) => ticket.Properties.ExpiresUtc ?? time.GetUtcNow() + options.Value.IdleTimeout;
}
