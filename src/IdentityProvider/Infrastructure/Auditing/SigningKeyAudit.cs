using System.Globalization;
using IdentityProvider.Protocol.Keys;

namespace IdentityProvider.Infrastructure.Auditing;

/// <summary>
/// Audits the keys the rotation schedule adds on its own (<see cref="SigningKeyRing.EnsureKeysAsync"/>):
/// the protocol library knows no audit log, so its hosts record what it returns.
/// </summary>
internal static class SigningKeyAudit
{
    public static async Task RecordScheduledAsync(IAuditLog audit, IReadOnlyList<SigningKey> added, CancellationToken cancellationToken)
    {
        foreach (var key in added)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.SigningKeyAdded, AuditActors.System, TargetType: "signing_key", TargetId: key.KeyId,
                Details: string.Create(CultureInfo.InvariantCulture, $"{key.Algorithm}, by schedule; signs from {key.ActivatesAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}")),
                cancellationToken);
        }
    }

    /// <summary>For singletons (the start-up tasks, the scheduler): the audit log lives in a scope.</summary>
    public static async Task RecordScheduledAsync(IServiceScopeFactory scopes, IReadOnlyList<SigningKey> added, CancellationToken cancellationToken)
    {
        if (added.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await RecordScheduledAsync(scope.ServiceProvider.GetRequiredService<IAuditLog>(), added, cancellationToken);
    }
}
