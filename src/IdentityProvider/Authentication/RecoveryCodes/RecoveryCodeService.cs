using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Authentication.RecoveryCodes;

/// <summary>
/// Single-use recovery codes (NIST SP 800-63B §5.1.2, look-up secrets): shown to the user once,
/// stored only as salted hashes, each redeemable once even under parallel attempts.
/// </summary>
/// <remarks>
/// <para>Format <c>XXXXX-XXXXX</c> from 32 characters without look-alikes (no 0/O, 1/I): 5 bits
/// per character, 50 bits per code from a cryptographic generator.</para>
/// <para>Hashing: 50 bits is far above what online guessing can reach under lockout, but below the
/// 112 bits for which NIST SP 800-63B §5.1.2.2 allows a plain hash; with a fast hash, a copy of the
/// table would give up a targeted user's codes to a GPU within hours. So, as §5.1.2.2 requires for
/// shorter look-up secrets, each code is hashed with a key derivation function (PBKDF2-HMAC-SHA256)
/// and a random salt. The salt is per generation rather than per code, so a redemption costs one
/// derivation (a few milliseconds) and the row is then found by (UserId, CodeHash).</para>
/// </remarks>
public sealed class RecoveryCodeService(
    IdentityProviderDbContext db,
    UserManager<ApplicationUser> users,
    SecuritySettingsReader settings,
    IAuditLog audit,
    TimeProvider time)
{
    /// <summary>The alphabet of codes: A-Z and 2-9 without I and O, which read as 1 and 0.</summary>
    public const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    private const int HalfLength = 5;

    // 50 bits of entropy times 10,000 iterations puts an offline search beyond reach; changing the
    // count invalidates the codes already issued, so it is not configurable.
    private const int Iterations = 10_000;

    /// <summary>
    /// A new set of codes for the user, replacing every earlier one, and a new security stamp. The
    /// plaintext exists only in the returned list: show it once. As many as the saved (or configured)
    /// security settings say at the time of generation.
    /// </summary>
    public async Task<IReadOnlyList<string>> GenerateAsync(string userId, CancellationToken cancellationToken)
    {
        var count = (await settings.GetAsync(db, cancellationToken)).RecoveryCodeCount;
        var codes = new HashSet<string>(StringComparer.Ordinal);
        while (codes.Count < count)
        {
            codes.Add(RandomNumberGenerator.GetString(Alphabet, HalfLength * 2));
        }

        var salt = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        db.RecoveryCodes.AddRange(codes.Select(code => new RecoveryCodeEntity
        {
            UserId = userId,
            CodeHash = Hash(code, salt),
            Salt = salt,
            CreatedAt = now,
        }));
        await db.SaveChangesAsync(cancellationToken);
        // New codes are a changed factor: the new security stamp forgets remembered browsers.
        if (await users.FindByIdAsync(userId) is { } user && !(await users.UpdateSecurityStampAsync(user)).Succeeded)
        {
            throw new InvalidOperationException("Could not update the user's security stamp.");
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.RecoveryCodesGenerated, userId, TargetType: "user", TargetId: userId,
            Details: $"codes: {count}"), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return codes.Select(code => code[..HalfLength] + "-" + code[HalfLength..]).ToList();
    }

    /// <summary>
    /// Uses up one code. Case, spaces and the dash do not matter. The row is removed by a
    /// conditional DELETE, so of parallel redemptions of one code exactly one sees a row deleted.
    /// </summary>
    public async Task<bool> RedeemAsync(string userId, string code, CancellationToken cancellationToken)
    {
        if (Normalise(code) is not { } normalised)
        {
            return false;
        }

        var salt = await db.RecoveryCodes.AsNoTracking().Where(c => c.UserId == userId).Select(c => c.Salt).FirstOrDefaultAsync(cancellationToken);
        if (salt is null)
        {
            return false;
        }

        var hash = Hash(normalised, salt);
        var deleted = await db.RecoveryCodes.Where(c => c.UserId == userId && c.CodeHash == hash).ExecuteDeleteAsync(cancellationToken);
        if (deleted != 1)
        {
            return false;
        }

        var remaining = await CountRemainingAsync(userId, cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.RecoveryCodeUsed, userId, TargetType: "user", TargetId: userId,
            Details: $"remaining: {remaining}"), cancellationToken);
        return true;
    }

    public Task<int> CountRemainingAsync(string userId, CancellationToken cancellationToken) =>
        db.RecoveryCodes.CountAsync(c => c.UserId == userId, cancellationToken);

    /// <summary>Upper case without spaces and dashes; null when it cannot be a code, so no hash is spent on it.</summary>
    private static string? Normalise(string code)
    {
        var builder = new StringBuilder(HalfLength * 2);
        foreach (var c in code)
        {
            if (c is ' ' or '-')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c);
            if (!Alphabet.Contains(upper, StringComparison.Ordinal) || builder.Length == HalfLength * 2)
            {
                return null;
            }

            builder.Append(upper);
        }

        return builder.Length == HalfLength * 2 ? builder.ToString() : null;
    }

    private static string Hash(string normalisedCode, string salt) =>
        Convert.ToHexStringLower(Rfc2898DeriveBytes.Pbkdf2(
            Encoding.ASCII.GetBytes(normalisedCode), Convert.FromHexString(salt), Iterations, HashAlgorithmName.SHA256, 32));
}
