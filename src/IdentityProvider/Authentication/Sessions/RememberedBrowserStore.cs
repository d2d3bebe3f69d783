using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Configurations;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Authentication.Sessions;

/// <summary>A remembered browser as the user's Security page lists it.</summary>
/// <param name="IsThisBrowser">The mark is in the cookie of the browser asking.</param>
public sealed record RememberedBrowserSummary(
    string Id, string Description, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt, bool IsThisBrowser);

/// <summary>
/// "Don't ask again on this browser for N days" (Keycloak #8742), kept on the server: a row per
/// mark, bound to the user and to their security stamp, with only the SHA-256 of the token the
/// browser's cookie carries. A mark is honoured while all of these hold:
/// <list type="number">
/// <item>the administrator allows remembering (<see cref="MfaPolicySettings.RememberBrowserDays"/> &gt; 0),
/// and the mark is younger than the days allowed now;</item>
/// <item>the cookie names a row of this user, and its token hashes to the row's hash;</item>
/// <item>the row has not expired;</item>
/// <item>the user's security stamp is the one the row was made with: a password change or reset,
/// and any change of factors (TOTP, recovery codes, passkeys, an administrator's reset), change it.</item>
/// </list>
/// What a mark stands in for is the user's own policy only: the evaluator never lets it meet an
/// application's acr, nor a request that forces re-authentication.
/// </summary>
public sealed partial class RememberedBrowserStore(
    IdentityProviderDbContext db,
    MfaSettingsStore settings,
    IAuditLog audit,
    TimeProvider time,
    ILogger<RememberedBrowserStore> logger) : IBrowserMemory
{
    public async Task<bool> IsRememberedAsync(HttpContext http, string userId, CancellationToken cancellationToken)
    {
        var marks = RememberedBrowserCookie.Read(http);
        if (marks.Count == 0)
        {
            return false;
        }

        // 1. Turning the setting off (or shortening it) stops honouring marks already given.
        var days = (await settings.GetAsync(cancellationToken)).RememberBrowserDays;
        if (days <= 0)
        {
            return false;
        }

        // 2, 3. This user's rows among the cookie's handles, not expired.
        var now = time.GetUtcNow();
        var handles = marks.Select(m => m.Handle).ToList();
        var rows = await db.RememberedBrowsers.AsNoTracking()
            .Where(b => handles.Contains(b.Id) && b.UserId == userId && b.ExpiresAt > now)
            .ToListAsync(cancellationToken);
        var stamp = await db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleOrDefaultAsync(cancellationToken);
        foreach (var row in rows)
        {
            var token = marks.First(m => m.Handle == row.Id).Token;
            // Constant-time, like every comparison of a secret with what the database holds.
            var tokenMatches = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(row.TokenHash));
            // 4. The factors and password are still those the mark was made with.
            if (!tokenMatches || stamp is null || row.SecurityStamp != stamp || row.CreatedAt.AddDays(days) <= now)
            {
                continue;
            }

            await db.RememberedBrowsers.Where(b => b.Id == row.Id).ExecuteUpdateAsync(set => set.SetProperty(b => b.LastUsedAt, now), cancellationToken);
            LogHonoured(logger, userId, row.Id);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Marks this browser for the user, who just proved a second factor and ticked the box. The
    /// cookie keeps the marks of other users still valid on this browser.
    /// </summary>
    /// <returns>False when remembering is off.</returns>
    public async Task<bool> RememberAsync(HttpContext http, string userId, CancellationToken cancellationToken)
    {
        var days = (await settings.GetAsync(cancellationToken)).RememberBrowserDays;
        var stamp = await db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleOrDefaultAsync(cancellationToken);
        if (days <= 0 || stamp is null)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var existing = RememberedBrowserCookie.Read(http);
        var handles = existing.Select(m => m.Handle).ToList();
        // The user's earlier mark on this browser (no longer valid, or they would not have been
        // asked) is replaced rather than listed twice.
        await db.RememberedBrowsers.Where(b => handles.Contains(b.Id) && b.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var others = await db.RememberedBrowsers.AsNoTracking().Where(b => handles.Contains(b.Id) && b.ExpiresAt > now)
            .Select(b => new { b.Id, b.ExpiresAt }).ToListAsync(cancellationToken);

        // 256 bits for the token; the handle only names the row.
        var mark = new RememberedBrowserMark(
            Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)), Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)));
        var row = new RememberedBrowser
        {
            Id = mark.Handle,
            UserId = userId,
            TokenHash = Hash(mark.Token),
            SecurityStamp = stamp,
            Description = Describe(http.Request.Headers.UserAgent.ToString()),
            CreatedAt = now,
            ExpiresAt = now.AddDays(days),
        };
        db.RememberedBrowsers.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.BrowserRemembered, userId, TargetType: "user", TargetId: userId,
            Details: $"browser {row.Id} for {days} days: {row.Description}"), cancellationToken);

        var kept = existing.Where(m => others.Any(o => o.Id == m.Handle)).Take(RememberedBrowserCookie.MaxMarks - 1);
        var expires = others.Select(o => o.ExpiresAt).Append(row.ExpiresAt).Max();
        RememberedBrowserCookie.Write(http, [mark, .. kept], expires);
        return true;
    }

    /// <summary>The user's marks that would still be honoured (unexpired, made with the current stamp), newest first.</summary>
    public async Task<IReadOnlyList<RememberedBrowserSummary>> ListAsync(HttpContext http, string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stamp = await db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleOrDefaultAsync(cancellationToken);
        var rows = await db.RememberedBrowsers.AsNoTracking()
            .Where(b => b.UserId == userId && b.ExpiresAt > now && b.SecurityStamp == stamp)
            .ToListAsync(cancellationToken);
        var mine = RememberedBrowserCookie.Read(http).Select(m => m.Handle).ToHashSet(StringComparer.Ordinal);
        return [.. rows.OrderByDescending(b => b.CreatedAt)
            .Select(b => new RememberedBrowserSummary(b.Id, b.Description, b.CreatedAt, b.ExpiresAt, b.LastUsedAt, mine.Contains(b.Id)))];
    }

    /// <param name="actor">the user's own id, or an administrator's</param>
    /// <returns>False when the user has no mark with that id.</returns>
    public async Task<bool> ForgetAsync(string userId, string id, string actor, CancellationToken cancellationToken)
    {
        var deleted = await db.RememberedBrowsers.Where(b => b.Id == id && b.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return false;
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.BrowserForgotten, actor, TargetType: "user", TargetId: userId,
            Details: $"browser {id}"), cancellationToken);
        return true;
    }

    /// <summary>Forgets every browser of the user, e.g. for an administrator's MFA reset.</summary>
    /// <returns>How many marks there were.</returns>
    public async Task<int> ForgetAllAsync(string userId, string actor, CancellationToken cancellationToken)
    {
        var deleted = await db.RememberedBrowsers.Where(b => b.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.BrowserForgotten, actor, TargetType: "user", TargetId: userId,
                Details: $"all browsers: {deleted}"), cancellationToken);
        }

        return deleted;
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    /// <summary>The User-Agent as sent, without control characters, cut to the column's length; the list shows it as the browser's name.</summary>
    private static string Describe(string userAgent)
    {
        var clean = new string([.. userAgent.Where(c => !char.IsControl(c))]).Trim();
        return clean.Length <= RememberedBrowserConfiguration.DescriptionMaxLength ? clean : clean[..RememberedBrowserConfiguration.DescriptionMaxLength];
    }

    [LoggerMessage(4201, LogLevel.Information, "Second factor not asked of user {UserId}: browser {BrowserId} is remembered")]
    private static partial void LogHonoured(ILogger logger, string userId, string browserId);
}
