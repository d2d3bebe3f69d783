using System.Globalization;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Protocol.Keys;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Cli;

/// <summary><c>keys list|rotate|revoke</c>: the operator's hands on the signing keys.</summary>
internal static class KeyCommands
{
    public const string Usage = """
          IdentityProvider keys list
          IdentityProvider keys rotate [--algorithm RS256|ES256]
          IdentityProvider keys revoke --kid KEY_ID
        """;

    public static async Task<int> RunAsync(WebApplication app, CommandArguments args, CancellationToken cancellationToken)
    {
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        var ring = app.Services.GetRequiredService<SigningKeyRing>();
        var scheduled = await ring.EnsureKeysAsync(cancellationToken);
        await using var scope = app.Services.CreateAsyncScope();
        var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
        await SigningKeyAudit.RecordScheduledAsync(audit, scheduled, cancellationToken);
        switch (args.Verb)
        {
            case "list":
                var keys = await ring.ListAsync(cancellationToken);
                var options = app.Services.GetRequiredService<IOptions<SigningKeyOptions>>().Value;
                var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
                foreach (var key in keys.OrderBy(k => k.Algorithm).ThenBy(k => k.ActivatesAt))
                {
                    Console.Out.WriteLine(string.Join('\t', key.KeyId, key.Algorithm, StateOf(key, keys, now, options),
                        "activates " + Format(key.ActivatesAt), "due " + Format(key.RetiresAt)));
                }

                return 0;

            case "rotate":
                var algorithms = args.Single("--algorithm") is { } one ? [one] : app.Services.GetRequiredService<IOptions<SigningKeyOptions>>().Value.Algorithms;
                foreach (var algorithm in algorithms)
                {
                    if (!SigningAlgorithms.All.Contains(algorithm))
                    {
                        throw new CommandLineException($"unknown algorithm '{algorithm}'; use one of {string.Join(", ", SigningAlgorithms.All)}.");
                    }

                    var key = await ring.RotateNowAsync(algorithm, cancellationToken);
                    await audit.RecordAsync(new AuditRecord(AuditActions.SigningKeyRotated, AuditActors.CommandLine, TargetType: "signing_key", TargetId: key.KeyId), cancellationToken);
                    Console.Out.WriteLine($"{key.KeyId}\t{algorithm}\tpublished now, signs from {Format(key.ActivatesAt)}");
                }

                return 0;

            case "revoke":
                var kid = args.Required("--kid");
                if (!await ring.RevokeAsync(kid, cancellationToken))
                {
                    Console.Error.WriteLine($"No active key with id '{kid}'.");
                    return 1;
                }

                await audit.RecordAsync(new AuditRecord(AuditActions.SigningKeyRevoked, AuditActors.CommandLine, TargetType: "signing_key", TargetId: kid), cancellationToken);
                Console.Out.WriteLine($"{kid} revoked: no longer published, no longer signing.");
                return 0;

            default:
                Console.Error.WriteLine(CommandLine.Usage);
                return 2;
        }
    }

    private static string StateOf(SigningKey key, IReadOnlyList<SigningKey> keys, DateTimeOffset now, SigningKeyOptions options) =>
        key.RevokedAt is not null ? "revoked"
        : SigningKeySchedule.Current(keys, key.Algorithm, now)?.KeyId == key.KeyId ? "signing"
        : key.ActivatesAt > now ? "published, not yet signing"
        : SigningKeySchedule.IsPublished(key, keys, now, options) ? "published, superseded"
        : "retired";

    private static string Format(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
