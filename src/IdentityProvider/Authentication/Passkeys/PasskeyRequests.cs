using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence;
using IdentityProvider.Protocol.Endpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.Passkeys;

public sealed record PasskeyRequest(DateTimeOffset RequestedAt, string RequestedBy);

/// <summary>
/// An administrator's "Request new passkey" (m2v): until the user registers one, their sign-ins
/// stop at the passkey registration page. A request can be withdrawn while it is still pending.
/// A user with an email address is told by email (the <see cref="EmailTemplates.PasskeyRequest"/> message).
/// </summary>
public sealed class PasskeyRequests(
    IdentityProviderDbContext db,
    IAuditLog audit,
    IEmailSender email,
    EmailTemplateStore templates,
    IOptions<OpenIdServerOptions> server,
    TimeProvider time)
{
    /// <summary>Where the email sends the user: the sign-in page, which then asks for the passkey.</summary>
    public const string SignInPath = "account/login";

    public async Task<PasskeyRequest?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var row = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.PasskeyRequestedAt, u.PasskeyRequestedBy }).SingleOrDefaultAsync(cancellationToken);
        return row?.PasskeyRequestedAt is { } at ? new PasskeyRequest(at, row.PasskeyRequestedBy ?? "") : null;
    }

    /// <summary>Idempotent: a pending request is kept as it is, so its time still says when it was first asked.</summary>
    /// <exception cref="InvalidOperationException">no such user</exception>
    public async Task<PasskeyRequest> RequestAsync(string userId, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var set = await db.Users.Where(u => u.Id == userId && u.PasskeyRequestedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasskeyRequestedAt, now).SetProperty(u => u.PasskeyRequestedBy, actor), cancellationToken);
        if (set == 1)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.PasskeyRequested, actor, TargetType: "user", TargetId: userId), cancellationToken);
            await TellTheUserAsync(userId, cancellationToken);
        }

        return await FindAsync(userId, cancellationToken) ?? throw new InvalidOperationException("No such user.");
    }

    // Only when the request is new: repeating an already pending request sends nothing again.
    private async Task TellTheUserAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Email, u.DisplayName, u.UserName }).SingleOrDefaultAsync(cancellationToken);
        if (user is null || string.IsNullOrWhiteSpace(user.Email))
        {
            return;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["user"] = user.DisplayName ?? user.UserName ?? user.Email,
            // From the configured issuer, never from the request's Host header.
            ["link"] = server.Value.UrlOf(SignInPath),
        };
        await email.QueueAsync(await templates.RenderAsync(EmailTemplates.PasskeyRequest, user.Email, values, cancellationToken), cancellationToken);
    }

    /// <returns>False when no request was pending.</returns>
    public async Task<bool> CancelAsync(string userId, string actor, CancellationToken cancellationToken)
    {
        var cleared = await db.Users.Where(u => u.Id == userId && u.PasskeyRequestedAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasskeyRequestedAt, (DateTimeOffset?)null).SetProperty(u => u.PasskeyRequestedBy, (string?)null), cancellationToken);
        if (cleared == 1)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.PasskeyRequestCancelled, actor, TargetType: "user", TargetId: userId), cancellationToken);
        }

        return cleared == 1;
    }
}
