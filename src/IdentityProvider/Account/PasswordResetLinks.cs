using System.Globalization;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Endpoints;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Account;

public enum PasswordResetOutcome
{
    PasswordSet,
    LinkInvalid,

    /// <summary>The password validators refused the new password; the link stays usable.</summary>
    PasswordRefused,
}

/// <param name="Errors">Set with <see cref="PasswordResetOutcome.PasswordRefused"/>: the validators' descriptions.</param>
public sealed record PasswordResetResult(PasswordResetOutcome Outcome, IReadOnlyList<string> Errors);

/// <summary>
/// The emailed single-use link with which a user sets a new password: an administrator's reset,
/// the invitation of a new account, or the user's own "Forgot your password?". Issued and spent by
/// the rules of every emailed link (<see cref="EmailedLinks"/>).
/// </summary>
public sealed partial class PasswordResetLinks(
    IdentityProviderDbContext db,
    EmailedLinks links,
    UserManager<ApplicationUser> users,
    ILookupNormalizer normalizer,
    UserSessionRevocation revocation,
    IEmailSender email,
    EmailTemplateStore templates,
    IAuditLog audit,
    TimeProvider time,
    IOptions<PasswordResetOptions> options,
    IOptions<OpenIdServerOptions> server,
    ILogger<PasswordResetLinks> logger)
{
    public const string ResetPath = "account/password/reset";

    /// <summary>
    /// An administrator's reset or invitation: replaces any earlier link of the user (which then no
    /// longer works) and emails the new one.
    /// </summary>
    /// <returns>False for an unknown user or one without an email address; nothing is sent.</returns>
    public async Task<bool> SendAsync(string userId, bool invitation, string actor, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || string.IsNullOrWhiteSpace(user.Email))
        {
            return false;
        }

        var token = SetupTokenHasher.NewToken();
        if (!await links.TryIssueAsync(NewRow(userId, SetupTokenHasher.Hash(token), invitation, time.GetUtcNow()), notAfter: null, cancellationToken))
        {
            // A parallel reset of the same user issued its link first; that one is emailed.
            return true;
        }

        await QueueAsync(user, token, invitation, cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.UserPasswordResetRequested, actor, TargetType: "user", TargetId: userId,
            Details: invitation ? "invitation emailed" : "reset link emailed"), cancellationToken);
        LogLinkSent(logger, userId, invitation ? "invitation" : "reset");
        return true;
    }

    /// <summary>
    /// "Forgot your password?": emails a reset link when the account exists, is enabled, has an
    /// email address and had no self-service link within <see cref="PasswordResetOptions.RequestInterval"/>.
    /// The caller answers the same whatever happens.
    /// </summary>
    public async Task RequestAsync(string login, CancellationToken cancellationToken)
    {
        var name = normalizer.NormalizeName(login.Trim());
        var address = normalizer.NormalizeEmail(login.Trim());
        var user = await db.Users.AsNoTracking()
            .Where(u => u.NormalizedUserName == name || u.NormalizedEmail == address)
            .OrderBy(u => u.NormalizedUserName == name ? 0 : 1)
            .FirstOrDefaultAsync(cancellationToken);
        var refusal = user is null ? "unknown account"
            : user.DisabledAt is not null ? "account disabled"
            : string.IsNullOrWhiteSpace(user.Email) ? "no email address"
            : null;

        var now = time.GetUtcNow();
        var token = SetupTokenHasher.NewToken();
        if (refusal is null)
        {
            // Of two parallel requests after the interval only one issues a link.
            var issued = await links.TryIssueAsync(NewRow(user!.Id, SetupTokenHasher.Hash(token), invitation: false, now), now - options.Value.RequestInterval, cancellationToken);
            refusal = issued ? null : "a link was sent less than " + options.Value.RequestInterval + " ago";
        }

        if (refusal is null)
        {
            await QueueAsync(user!, token, invitation: false, cancellationToken);
            LogLinkSent(logger, user!.Id, "self-service");
        }
        else
        {
            LogLinkNotSent(logger, user?.Id ?? "-", refusal);
        }

        await audit.RecordAsync(new AuditRecord(AuditActions.UserPasswordResetRequested, user?.Id ?? AuditActors.Anonymous,
            refusal is null ? AuditOutcome.Success : AuditOutcome.Failure, TargetType: "user", TargetId: user?.Id,
            Details: refusal ?? "reset link emailed at the user's request"), cancellationToken);
    }

    /// <summary>Whether the link can still be used (for the page to show the form or the "expired" text).</summary>
    public async Task<bool> IsUsableAsync(string? token, CancellationToken cancellationToken) =>
        links.StateOf(await links.FindAsync<PasswordResetLink>(token, cancellationToken)) == EmailedLinkState.Valid;

    /// <summary>
    /// With a usable link and a password the validators accept: consumes the link, sets the password,
    /// renews the security stamp (remembered browsers end) and ends every session and grant. The
    /// mailbox is proven, so the address counts as confirmed. Lockout and "disabled" stay as they are.
    /// </summary>
    public async Task<PasswordResetResult> ResetAsync(string? token, string? password, CancellationToken cancellationToken)
    {
        // 1. The link exists, is unused and has not expired.
        var link = await links.FindAsync<PasswordResetLink>(token, cancellationToken);
        var state = links.StateOf(link);
        if (state != EmailedLinkState.Valid || await users.FindByIdAsync(link!.UserId) is not { } user)
        {
            return await RejectAsync(link?.UserId, state == EmailedLinkState.Valid ? "unknown" : state.ToString().ToLowerInvariant(), cancellationToken);
        }

        // 2. The password, through Identity's validators; a refusal leaves the link usable.
        var errors = new List<string>();
        if (string.IsNullOrEmpty(password) || password.Length > 1024)
        {
            errors.Add("Choose a password of at most 1024 characters.");
        }
        else
        {
            foreach (var validator in users.PasswordValidators)
            {
                var result = await validator.ValidateAsync(users, user, password);
                errors.AddRange(result.Errors.Select(e => e.Description));
            }
        }

        if (errors.Count > 0)
        {
            return new PasswordResetResult(PasswordResetOutcome.PasswordRefused, errors);
        }

        // 3. Single use, decided by the database.
        if (!await links.TryUseAsync(link, cancellationToken))
        {
            return await RejectAsync(user.Id, "used", cancellationToken);
        }

        // 4. The new password and a new security stamp, saved together.
        user.PasswordHash = users.PasswordHasher.HashPassword(user, password!);
        user.EmailConfirmed = true;
        var updated = await users.UpdateSecurityStampAsync(user);
        if (!updated.Succeeded)
        {
            throw new InvalidOperationException("Could not set the new password: " + string.Join(" ", updated.Errors.Select(e => e.Code)));
        }

        // 5. Whoever was signed in as the user (perhaps the reason for the reset) is signed out.
        var (sessions, grants) = await revocation.EndAllAsync(user.Id, cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.UserPasswordReset, user.Id, TargetType: "user", TargetId: user.Id,
            Details: $"{(link.Invitation ? "first password set with the invitation link" : "password set with a reset link")}; sessions ended: {sessions}, grants revoked: {grants}"),
            cancellationToken);
        LogPasswordSet(logger, user.Id);
        return new PasswordResetResult(PasswordResetOutcome.PasswordSet, []);
    }

    private PasswordResetLink NewRow(string userId, string tokenHash, bool invitation, DateTimeOffset now) => new()
    {
        UserId = userId,
        TokenHash = tokenHash,
        Invitation = invitation,
        CreatedAt = now,
        ExpiresAt = now + (invitation ? options.Value.InvitationLifetime : options.Value.LinkLifetime),
    };

    private async Task QueueAsync(ApplicationUser user, string token, bool invitation, CancellationToken cancellationToken)
    {
        var lifetime = invitation ? options.Value.InvitationLifetime : options.Value.LinkLifetime;
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["user"] = user.DisplayName ?? user.UserName ?? user.Email!,
            ["email"] = user.Email!,
            // Built from the configured issuer, never from the request's Host header, which an
            // attacker could set to make the mail point at their own server.
            ["link"] = server.Value.UrlOf(ResetPath + "?token=" + token),
            ["lifetime"] = LifetimeText(lifetime),
        };
        var template = invitation ? EmailTemplates.AccountInvitation : EmailTemplates.PasswordReset;
        await email.QueueAsync(await templates.RenderAsync(template, user.Email!, values, cancellationToken), cancellationToken);
    }

    /// <summary>"1 hour", "72 hours", "30 minutes": the mail says how long the link works.</summary>
    private static string LifetimeText(TimeSpan lifetime)
    {
        var (count, unit) = lifetime.TotalHours >= 1 && lifetime.TotalHours % 1 == 0
            ? ((int)lifetime.TotalHours, "hour")
            : ((int)Math.Ceiling(lifetime.TotalMinutes), "minute");
        return count.ToString(CultureInfo.InvariantCulture) + " " + unit + (count == 1 ? "" : "s");
    }

    private async Task<PasswordResetResult> RejectAsync(string? userId, string reason, CancellationToken cancellationToken)
    {
        LogRejected(logger, userId ?? "-", reason);
        await audit.RecordAsync(new AuditRecord(AuditActions.UserPasswordReset, AuditActors.Anonymous, AuditOutcome.Failure,
            TargetType: userId is null ? null : "user", TargetId: userId, Details: "link refused: " + reason), cancellationToken);
        return new PasswordResetResult(PasswordResetOutcome.LinkInvalid, []);
    }

    [LoggerMessage(4301, LogLevel.Information, "Password {Kind} link emailed to user {UserId}")]
    private static partial void LogLinkSent(ILogger logger, string userId, string kind);

    [LoggerMessage(4302, LogLevel.Information, "Password reset link not sent for {UserId}: {Reason}")]
    private static partial void LogLinkNotSent(ILogger logger, string userId, string reason);

    [LoggerMessage(4303, LogLevel.Warning, "Password of user {UserId} set with an emailed link")]
    private static partial void LogPasswordSet(ILogger logger, string userId);

    [LoggerMessage(4304, LogLevel.Information, "Password reset link for {UserId} refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string userId, string reason);
}
