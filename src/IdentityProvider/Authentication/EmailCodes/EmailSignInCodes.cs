using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.EmailCodes;

public enum EmailCodeSendOutcome
{
    Sent,

    /// <summary>A code was sent less than the resend interval ago, or the hour's sends are used up: nothing sent.</summary>
    TooSoon,

    /// <summary>The account has no confirmed email address.</summary>
    Unavailable,
}

/// <summary>
/// Odoo's "2FA by mail": a single-use six-digit code, emailed to the account's confirmed address,
/// as the second factor of a user whom the policy requires to use MFA and who has no authenticator.
/// RFC 8176 has no value for it; the sign-in states <c>otp</c>, the audit trail says "email".
/// </summary>
/// <remarks>
/// <para>Storage: six digits are a million candidates, so any unkeyed hash, salted or stretched,
/// falls to an offline search in seconds. The code is stored as HMAC-SHA256 under a random 32-byte
/// key of its own, and that key only encrypted by data protection (whose key ring is protected by
/// <c>DataProtection:CertificatePath</c> in production). A copy of the table alone gives nothing to
/// search against; with the key ring, the code is within reach, but so then are the TOTP secrets.</para>
/// <para>Guessing online is bounded by the sign-in lockout (every verification passes the gate
/// first), the code's lifetime, and the send limits below.</para>
/// </remarks>
public sealed partial class EmailSignInCodes(
    IdentityProviderDbContext db,
    IDataProtectionProvider dataProtection,
    IEmailSender email,
    EmailTemplateStore templates,
    IAuditLog audit,
    TimeProvider time,
    IOptions<EmailCodeOptions> options,
    ILogger<EmailSignInCodes> logger)
{
    private const string ProtectionPurpose = "IdentityProvider.EmailSignInCodes.v1";
    private const int Digits = 6;

    private readonly IDataProtector _protector = dataProtection.CreateProtector(ProtectionPurpose);

    /// <summary>Where a code would go, masked, or null when the account has no confirmed address.</summary>
    public async Task<string?> MaskedAddressAsync(string userId, CancellationToken cancellationToken) =>
        await ConfirmedAddressAsync(userId, cancellationToken) is { } address ? EmailAddressMask.Mask(address) : null;

    /// <summary>
    /// Emails a new code, replacing the one before, unless one was sent within
    /// <see cref="EmailCodeOptions.ResendInterval"/> or the hour's sends are used up; then the code
    /// already sent stays valid and nothing is sent.
    /// </summary>
    public async Task<EmailCodeSendOutcome> SendAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Email, u.EmailConfirmed, u.DisplayName, u.UserName }).SingleOrDefaultAsync(cancellationToken);
        if (user is null || !user.EmailConfirmed || string.IsNullOrWhiteSpace(user.Email))
        {
            return EmailCodeSendOutcome.Unavailable;
        }

        var masked = EmailAddressMask.Mask(user.Email);
        // Uniform over 000000-999999: GetInt32 rejects rather than reduces modulo, so no code is likelier.
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        var key = RandomNumberGenerator.GetBytes(32);
        var now = time.GetUtcNow();
        if (!await ClaimAsync(userId, Hash(key, code), Convert.ToBase64String(_protector.Protect(key)), now, cancellationToken))
        {
            LogNotSent(logger, userId);
            await audit.RecordAsync(new AuditRecord(AuditActions.EmailCodeSent, userId, AuditOutcome.Failure, TargetType: "user",
                TargetId: userId, Details: "not sent: too soon after the last code or too many this hour"), cancellationToken);
            return EmailCodeSendOutcome.TooSoon;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["user"] = user.DisplayName ?? user.UserName ?? user.Email,
            ["code"] = code,
            ["minutes"] = ((int)Math.Ceiling(options.Value.Lifetime.TotalMinutes)).ToString(CultureInfo.InvariantCulture),
        };
        await email.QueueAsync(await templates.RenderAsync(EmailTemplates.EmailSignInCode, user.Email, values, cancellationToken), cancellationToken);
        LogSent(logger, userId);
        await audit.RecordAsync(new AuditRecord(AuditActions.EmailCodeSent, userId, TargetType: "user", TargetId: userId,
            Details: "code emailed to " + masked), cancellationToken);
        return EmailCodeSendOutcome.Sent;
    }

    /// <summary>
    /// Uses up the user's code. The caller passes the sign-in gate first and records the outcome,
    /// so wrong codes count toward lockout like any other second factor.
    /// </summary>
    public async Task<bool> VerifyAsync(string userId, string code, CancellationToken cancellationToken)
    {
        var normalised = code.Replace(" ", "", StringComparison.Ordinal);
        if (normalised.Length != Digits || !normalised.All(char.IsAsciiDigit))
        {
            return false;
        }

        // 1. The user has a code that is unused and unexpired.
        var now = time.GetUtcNow();
        var row = await db.EmailSignInCodes.AsNoTracking()
            .SingleOrDefaultAsync(c => c.UserId == userId && c.UsedAt == null && c.ExpiresAt > now, cancellationToken);
        if (row is null || Unprotect(row.ProtectedKey) is not { } key)
        {
            return false;
        }

        // 2. The code matches. Constant time, so response times say nothing about how much of the
        // hash a guess got right.
        var hash = Hash(key, normalised);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), Encoding.ASCII.GetBytes(row.CodeHash)))
        {
            return false;
        }

        // 3. Single use, decided by the database: of two parallel uses exactly one update finds the
        // row unused, and a code replaced by a newer send no longer matches the hash.
        var consumed = await db.EmailSignInCodes
            .Where(c => c.UserId == userId && c.CodeHash == hash && c.UsedAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.UsedAt, now), cancellationToken);
        if (consumed != 1)
        {
            return false;
        }

        // The sign-in will state amr "otp", as for an authenticator app: only this row says it came by email.
        await audit.RecordAsync(new AuditRecord(AuditActions.EmailCodeUsed, userId, TargetType: "user", TargetId: userId,
            Details: "second factor: one-time code, method: email"), cancellationToken);
        LogUsed(logger, userId);
        return true;
    }

    /// <summary>
    /// Writes the user's one code row: replaces it when the last send is older than the resend
    /// interval and the hour has sends left (a new hour starts the count again); inserts it when
    /// there is none. Conditional, so of two parallel sends only one replaces the row.
    /// </summary>
    private async Task<bool> ClaimAsync(string userId, string codeHash, string protectedKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var expiresAt = now + settings.Lifetime;
        var sentBefore = now - settings.ResendInterval;
        var windowOver = now - EmailCodeOptions.SendWindow;
        var replaced = await db.EmailSignInCodes
            .Where(c => c.UserId == userId && c.SentAt <= sentBefore && (c.WindowStartedAt <= windowOver || c.SendsInWindow < settings.MaxSendsPerWindow))
            .ExecuteUpdateAsync(set => set
                .SetProperty(c => c.CodeHash, codeHash)
                .SetProperty(c => c.ProtectedKey, protectedKey)
                .SetProperty(c => c.SentAt, now)
                .SetProperty(c => c.ExpiresAt, expiresAt)
                .SetProperty(c => c.UsedAt, (DateTimeOffset?)null)
                .SetProperty(c => c.SendsInWindow, c => c.WindowStartedAt <= windowOver ? 1 : c.SendsInWindow + 1)
                .SetProperty(c => c.WindowStartedAt, c => c.WindowStartedAt <= windowOver ? now : c.WindowStartedAt), cancellationToken);
        if (replaced == 1)
        {
            return true;
        }

        if (await db.EmailSignInCodes.AnyAsync(c => c.UserId == userId, cancellationToken))
        {
            return false;
        }

        var row = new EmailSignInCode
        {
            UserId = userId, CodeHash = codeHash, ProtectedKey = protectedKey,
            SentAt = now, ExpiresAt = expiresAt, WindowStartedAt = now, SendsInWindow = 1,
        };
        // A parallel first send may insert the row (the user id is the key): it sends, this one does not.
        return await db.TryInsertAsync(row, cancellationToken);
    }

    private async Task<string?> ConfirmedAddressAsync(string userId, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking().Where(u => u.Id == userId && u.EmailConfirmed && u.Email != null && u.Email != "")
            .Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);

    private byte[]? Unprotect(string protectedKey)
    {
        try
        {
            return _protector.Unprotect(Convert.FromBase64String(protectedKey));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            // A key ring that lost the key (or a tampered row): the code cannot be checked, so it fails.
            return null;
        }
    }

    private static string Hash(byte[] key, string code) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(code)));

    [LoggerMessage(4201, LogLevel.Information, "Sign-in code emailed to user {UserId}")]
    private static partial void LogSent(ILogger logger, string userId);

    [LoggerMessage(4202, LogLevel.Information, "Sign-in code for user {UserId} not sent: one was sent too recently or too many this hour")]
    private static partial void LogNotSent(ILogger logger, string userId);

    [LoggerMessage(4203, LogLevel.Information, "Emailed sign-in code of user {UserId} used")]
    private static partial void LogUsed(ILogger logger, string userId);
}
