using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QRCoder;

namespace IdentityProvider.Authentication.Totp;

/// <summary>
/// TOTP as a second factor: enrolment, activation, verification with replay protection, and
/// removal. Identity's own authenticator provider accepts ±2 steps and the same code any number of
/// times; this one accepts each time step once per user, enforced by the database so that it
/// holds across parallel requests and nodes (NIST SP 800-63B §5.1.4.2).
/// </summary>
public sealed partial class TotpAuthenticator(
    IdentityProviderDbContext db,
    UserManager<ApplicationUser> users,
    IDataProtectionProvider dataProtection,
    IOptions<TotpOptions> options,
    SecuritySettingsReader settings,
    IAuditLog audit,
    TimeProvider time,
    ILogger<TotpAuthenticator> logger)
{
    public const string ProtectionPurpose = "IdentityProvider.Totp.v1";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(ProtectionPurpose);

    /// <summary>
    /// A new secret for the user, not yet a factor: it becomes one when <see cref="ActivateAsync"/>
    /// sees a correct code. Starting again replaces an unactivated secret.
    /// </summary>
    /// <exception cref="InvalidOperationException">the user does not exist or already has active TOTP (disable it first)</exception>
    public async Task<TotpEnrolment> BeginEnrolmentAsync(string userId, string accountName, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            throw new InvalidOperationException("No such user.");
        }

        // RFC 4226 §4 R6 / §7.5: 160 bits from a cryptographic generator.
        var secret = Base32.Encode(RandomNumberGenerator.GetBytes(Rfc6238.SecretBytes));
        var row = await db.UserTotpSecrets.SingleOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        if (row?.ActivatedAt is not null)
        {
            throw new InvalidOperationException("The user already has an active authenticator; disable it before enrolling another.");
        }

        if (row is null)
        {
            row = new UserTotpSecret { UserId = userId, ProtectedSecret = "" };
            db.UserTotpSecrets.Add(row);
        }

        row.ProtectedSecret = _protector.Protect(secret);
        row.CreatedAt = time.GetUtcNow();
        row.LastAcceptedStep = null;
        await db.SaveChangesAsync(cancellationToken);

        var uri = OtpAuthUri(options.Value.Issuer, accountName, secret);
        return new TotpEnrolment(secret, Base32.Group(secret), uri, QrCodeSvg(uri));
    }

    /// <summary>The enrolment started earlier and not yet activated, to show again (after a mistyped code).</summary>
    public async Task<TotpEnrolment?> FindPendingEnrolmentAsync(string userId, string accountName, CancellationToken cancellationToken)
    {
        var pending = await db.UserTotpSecrets.AsNoTracking()
            .SingleOrDefaultAsync(s => s.UserId == userId && s.ActivatedAt == null, cancellationToken);
        if (pending is null)
        {
            return null;
        }

        var secret = _protector.Unprotect(pending.ProtectedSecret);
        var uri = OtpAuthUri(options.Value.Issuer, accountName, secret);
        return new TotpEnrolment(secret, Base32.Group(secret), uri, QrCodeSvg(uri));
    }

    /// <summary>
    /// Activates the pending secret if <paramref name="code"/> is correct for it, which proves the
    /// app holds the secret. The accepted step counts as used, like any later one.
    /// </summary>
    /// <returns>False for a wrong or reused code, or when no enrolment is pending.</returns>
    public async Task<bool> ActivateAsync(string userId, string code, CancellationToken cancellationToken)
    {
        var pending = await db.UserTotpSecrets.AsNoTracking()
            .SingleOrDefaultAsync(s => s.UserId == userId && s.ActivatedAt == null, cancellationToken);
        var user = await users.FindByIdAsync(userId);
        if (pending is null || user is null || MatchingStep(pending, code, await WindowAsync(cancellationToken)) is not { } step)
        {
            return false;
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One conditional UPDATE activates and claims the step: of two parallel activations with
        // the same code, only one finds the row still pending.
        var activated = await db.UserTotpSecrets
            .Where(s => s.UserId == userId && s.ActivatedAt == null && (s.LastAcceptedStep == null || s.LastAcceptedStep < step))
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.ActivatedAt, now).SetProperty(s => s.LastAcceptedStep, step), cancellationToken);
        if (activated != 1)
        {
            return false;
        }

        var updated = await users.SetTwoFactorEnabledAsync(user, true);
        if (!updated.Succeeded)
        {
            throw new InvalidOperationException("Could not enable two-factor sign-in: " + string.Join(" ", updated.Errors.Select(e => e.Code)));
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.TotpEnabled, userId, TargetType: "user", TargetId: userId), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogActivated(userId);
        return true;
    }

    /// <summary>Checks a code from the user's active authenticator and, if valid, uses up its time step.</summary>
    public async Task<TotpVerification> VerifyAsync(string userId, string code, CancellationToken cancellationToken)
    {
        var secret = await db.UserTotpSecrets.AsNoTracking()
            .SingleOrDefaultAsync(s => s.UserId == userId && s.ActivatedAt != null, cancellationToken);
        if (secret is null)
        {
            return TotpVerification.NotEnrolled;
        }

        if (MatchingStep(secret, code, await WindowAsync(cancellationToken)) is not { } step)
        {
            return TotpVerification.Invalid;
        }

        // NIST SP 800-63B §5.1.4.2: accept a step only if it is later than every step accepted
        // before. The condition is evaluated by the database on the row it updates, so of several
        // parallel requests (or nodes) with the same code exactly one changes the row.
        var claimed = await db.UserTotpSecrets
            .Where(s => s.UserId == userId && s.ActivatedAt != null && (s.LastAcceptedStep == null || s.LastAcceptedStep < step))
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.LastAcceptedStep, step), cancellationToken);
        if (claimed == 1)
        {
            return TotpVerification.Valid;
        }

        LogReplayed(userId);
        return TotpVerification.Replayed;
    }

    /// <summary>True when the user has an activated TOTP secret.</summary>
    public Task<bool> IsEnabledAsync(string userId, CancellationToken cancellationToken) =>
        db.UserTotpSecrets.AnyAsync(s => s.UserId == userId && s.ActivatedAt != null, cancellationToken);

    /// <summary>
    /// Removes the user's second factors (TOTP secret, pending or active, and every recovery code)
    /// and turns two-factor sign-in off. Remembered browsers are forgotten through the new
    /// security stamp, whoever disables: the user, an administrator's reset, a lost-device recovery.
    /// </summary>
    /// <param name="actor">who did it: the user's id, an administrator's id, or a system actor</param>
    public async Task DisableAsync(string userId, string actor, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var secrets = await db.UserTotpSecrets.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var codes = await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        if (await users.FindByIdAsync(userId) is { } user)
        {
            // Passkeys are a second factor too: with one left, sign-in still takes two steps. Either
            // way the security stamp changes (SetTwoFactorEnabledAsync changes it too), which
            // forgets every browser the user chose not to be asked on again.
            var updated = user.TwoFactorEnabled && !await db.UserPasskeys.AnyAsync(p => p.UserId == userId, cancellationToken)
                ? await users.SetTwoFactorEnabledAsync(user, false)
                : await users.UpdateSecurityStampAsync(user);
            if (!updated.Succeeded)
            {
                throw new InvalidOperationException("Could not disable two-factor sign-in: " + string.Join(" ", updated.Errors.Select(e => e.Code)));
            }
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.MfaDisabled, actor, TargetType: "user", TargetId: userId,
            Details: $"totp secrets removed: {secrets}, recovery codes removed: {codes}"), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogDisabled(userId, actor);
    }

    /// <summary>The saved (or configured) window, read for each check so a change applies to the next code on every node.</summary>
    private async Task<int> WindowAsync(CancellationToken cancellationToken) => (await settings.GetAsync(db, cancellationToken)).TotpWindow;

    /// <summary>
    /// The time step within the window whose code equals <paramref name="code"/>, or null.
    /// Every step of the window is computed and compared in constant time, so the response time
    /// says nothing about which step (if any) matched. If two steps produce the same code (about
    /// once in a million windows) the newest is claimed: that consumes the older one too, so the
    /// same six digits cannot be accepted a second time within the window.
    /// </summary>
    private long? MatchingStep(UserTotpSecret row, string code, int window)
    {
        var normalised = code.Replace(" ", "", StringComparison.Ordinal);
        if (normalised.Length != Rfc6238.Digits || !normalised.All(char.IsAsciiDigit))
        {
            return null;
        }

        var secret = Base32.Decode(_protector.Unprotect(row.ProtectedSecret));
        var presented = Encoding.ASCII.GetBytes(normalised);
        var current = Rfc6238.TimeStep(time.GetUtcNow());
        long? match = null;
        for (var step = current + window; step >= current - window; step--)
        {
            var expected = Encoding.ASCII.GetBytes(Rfc6238.ComputeCode(secret, step));
            if (CryptographicOperations.FixedTimeEquals(expected, presented))
            {
                match ??= step;
            }
        }

        CryptographicOperations.ZeroMemory(secret);
        return match;
    }

    /// <summary>
    /// The Key URI Format understood by authenticator apps: <c>otpauth://totp/Issuer:account</c>
    /// with the issuer repeated as a parameter (newer apps prefer it to the label prefix). Each part
    /// is percent-encoded (RFC 3986), so spaces become %20 rather than '+'.
    /// </summary>
    private static string OtpAuthUri(string issuer, string accountName, string secret)
    {
        var label = Uri.EscapeDataString(issuer) + ":" + Uri.EscapeDataString(accountName);
        return $"otpauth://totp/{label}?secret={secret}&issuer={Uri.EscapeDataString(issuer)}" +
            $"&algorithm=SHA1&digits={Rfc6238.Digits}&period={Rfc6238.StepSeconds}";
    }

    private static string QrCodeSvg(string uri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        // A viewBox instead of fixed width/height, so the page's CSS decides the size.
        return new SvgQRCode(data).GetGraphic(4, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "TOTP activated for user {UserId}")]
    private partial void LogActivated(string userId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "TOTP code refused for user {UserId}: its time step was already used (replay or parallel submission)")]
    private partial void LogReplayed(string userId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Second factors removed for user {UserId} by {Actor}")]
    private partial void LogDisabled(string userId, string actor);
}
