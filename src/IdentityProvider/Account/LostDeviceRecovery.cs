using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.Passwords;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Endpoints;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Account;

public enum LostDeviceOutcome
{
    Recovered,
    LinkInvalid,
    WrongCredentials,
}

/// <param name="UserId">Set only when <see cref="Outcome"/> is <see cref="LostDeviceOutcome.Recovered"/>.</param>
public sealed record LostDeviceRecoveryResult(LostDeviceOutcome Outcome, string? UserId = null);

/// <summary>
/// "Lost your device?": an emailed single-use link, and with it and the password, removal of the
/// second factor. The link alone is not enough (whoever reads the mailbox still needs the
/// password), and the password alone is not enough (whoever knows it still needs the mailbox).
/// The link follows the rules of every emailed link (<see cref="EmailedLinks"/>).
/// </summary>
public sealed partial class LostDeviceRecovery(
    IdentityProviderDbContext db,
    EmailedLinks links,
    ILookupNormalizer normalizer,
    PasswordAuthenticator passwords,
    TotpAuthenticator totp,
    SignInAttemptGate gate,
    AdministratorNotifier administrators,
    IEmailSender email,
    EmailTemplateStore templates,
    IAuditLog audit,
    TimeProvider time,
    IOptions<LostDeviceOptions> options,
    IOptions<OpenIdServerOptions> server,
    ILogger<LostDeviceRecovery> logger)
{
    public const string RecoverPath = "account/lost-device/recover";

    /// <summary>
    /// Emails a link when the account exists, uses TOTP, has an email address and had no link within
    /// <see cref="LostDeviceOptions.RequestInterval"/>. The caller answers the same whatever happens,
    /// so the database work is the same too: every request looks the account up, asks for its TOTP,
    /// runs the replacing delete, asks for its link row and writes one audit row. Only a request
    /// that sends adds the link and the outbox row.
    /// </summary>
    public async Task RequestAsync(string login, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var user = await FindAsync(login, cancellationToken);
        var userId = user?.Id ?? "";
        var hasTotp = await db.UserTotpSecrets.AnyAsync(s => s.UserId == userId && s.ActivatedAt != null, cancellationToken);
        var refusal = user is null ? "unknown account"
            : user.DisabledAt is not null ? "account disabled"
            : !hasTotp ? "no authenticator"
            : string.IsNullOrWhiteSpace(user.Email) ? "no email address"
            : null;

        var token = SetupTokenHasher.NewToken();
        // A refused request issues for no one: the same statements run and match nothing.
        var row = new LostDeviceLink { UserId = refusal is null ? userId : "", TokenHash = SetupTokenHasher.Hash(token), CreatedAt = now, ExpiresAt = now + options.Value.LinkLifetime };
        var issued = await links.TryIssueAsync(row, now - options.Value.RequestInterval, cancellationToken);
        if (refusal is null && !issued)
        {
            refusal = "a link was sent less than " + options.Value.RequestInterval + " ago";
        }

        if (refusal is null)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["user"] = user!.DisplayName ?? user.UserName ?? user.Email!,
                // Built from the configured issuer, never from the request's Host header, which an
                // attacker could set to make the mail point at their own server.
                ["link"] = server.Value.UrlOf(RecoverPath + "?token=" + token),
                ["minutes"] = ((int)Math.Ceiling(options.Value.LinkLifetime.TotalMinutes)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            await email.QueueAsync(await templates.RenderAsync(EmailTemplates.LostDevice, user.Email!, values, cancellationToken), cancellationToken);
            LogLinkSent(logger, userId);
        }
        else
        {
            LogLinkNotSent(logger, user?.Id ?? "-", refusal);
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.LostDeviceRequested, user?.Id ?? AuditActors.Anonymous,
            refusal is null ? AuditOutcome.Success : AuditOutcome.Failure, TargetType: "user", TargetId: user?.Id,
            Details: refusal ?? "link emailed"), cancellationToken);
    }

    /// <summary>Whether the link can still be used (for the page to show the form or the "expired" text).</summary>
    public async Task<bool> IsUsableAsync(string? token, CancellationToken cancellationToken) =>
        links.StateOf(await links.FindAsync<LostDeviceLink>(token, cancellationToken)) == EmailedLinkState.Valid;

    /// <summary>
    /// With a usable link, the login of the account it was sent to and that account's password:
    /// consumes the link, removes the second factor and tells every administrator. A wrong password
    /// consumes nothing (it counts toward lockout like any other), so the user may try again.
    /// </summary>
    public async Task<LostDeviceRecoveryResult> RecoverAsync(string? token, string? login, string? password, CancellationToken cancellationToken)
    {
        // 1. The link exists, is unused and has not expired.
        var link = await links.FindAsync<LostDeviceLink>(token, cancellationToken);
        var state = links.StateOf(link);
        if (state != EmailedLinkState.Valid)
        {
            return await RejectAsync(link?.UserId, state.ToString().ToLowerInvariant(), cancellationToken);
        }

        // 2. The person says which account they sign in to, and it is the one the link was sent to.
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == link!.UserId, cancellationToken);
        if (user is null || string.IsNullOrWhiteSpace(login) || !IsLoginOf(user, login))
        {
            return await RejectAsync(link!.UserId, "signed in as another account", cancellationToken);
        }

        // 3. The password, through the lockout gate; failures are audited there and leave the link usable.
        if (string.IsNullOrEmpty(password) || password.Length > 1024
            || !(await passwords.CheckAsync(user.UserName!, password, cancellationToken)).Succeeded)
        {
            return new LostDeviceRecoveryResult(LostDeviceOutcome.WrongCredentials);
        }

        // 4. Single use, decided by the database.
        if (!await links.TryUseAsync(link!, cancellationToken))
        {
            return await RejectAsync(user.Id, "used", cancellationToken);
        }

        // 5. The factor goes. Should this fail, the link is spent and the factor stays: the safe side;
        // the user asks for a new link.
        await totp.DisableAsync(user.Id, actor: user.Id, cancellationToken);
        await gate.RecordSuccessAsync(user.Id, SignInFactor.Password, signInComplete: true, cancellationToken);
        await administrators.NotifyMfaDisabledAsync(user.DisplayName ?? user.UserName ?? user.Id, user.Email ?? "",
            "the user, with a lost-device link sent to their email address and their password", cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.LostDeviceRecovered, user.Id, TargetType: "user", TargetId: user.Id,
            Details: "second factor removed"), cancellationToken);
        LogRecovered(logger, user.Id);
        return new LostDeviceRecoveryResult(LostDeviceOutcome.Recovered, user.Id);
    }

    /// <summary>Username first, then email, as the password step looks accounts up.</summary>
    private async Task<ApplicationUser?> FindAsync(string login, CancellationToken cancellationToken)
    {
        var name = normalizer.NormalizeName(login.Trim());
        var address = normalizer.NormalizeEmail(login.Trim());
        return await db.Users.AsNoTracking()
            .Where(u => u.NormalizedUserName == name || u.NormalizedEmail == address)
            .OrderBy(u => u.NormalizedUserName == name ? 0 : 1)
            .FirstOrDefaultAsync(cancellationToken);
    }

    private bool IsLoginOf(ApplicationUser user, string login) =>
        string.Equals(normalizer.NormalizeName(login.Trim()), user.NormalizedUserName, StringComparison.Ordinal)
        || string.Equals(normalizer.NormalizeEmail(login.Trim()), user.NormalizedEmail, StringComparison.Ordinal);

    private async Task<LostDeviceRecoveryResult> RejectAsync(string? userId, string reason, CancellationToken cancellationToken)
    {
        LogRejected(logger, userId ?? "-", reason);
        await audit.RecordAsync(new AuditRecord(AuditActions.LostDeviceRecovered, AuditActors.Anonymous, AuditOutcome.Failure,
            TargetType: userId is null ? null : "user", TargetId: userId, Details: "link refused: " + reason), cancellationToken);
        return new LostDeviceRecoveryResult(LostDeviceOutcome.LinkInvalid);
    }

    [LoggerMessage(4101, LogLevel.Information, "Lost-device link emailed to user {UserId}")]
    private static partial void LogLinkSent(ILogger logger, string userId);

    [LoggerMessage(4102, LogLevel.Information, "Lost-device link not sent for {UserId}: {Reason}")]
    private static partial void LogLinkNotSent(ILogger logger, string userId, string reason);

    [LoggerMessage(4103, LogLevel.Warning, "Second factor of user {UserId} removed through a lost-device link")]
    private static partial void LogRecovered(ILogger logger, string userId);

    [LoggerMessage(4104, LogLevel.Information, "Lost-device link for {UserId} refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string userId, string reason);
}
