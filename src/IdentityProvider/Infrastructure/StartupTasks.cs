using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Protocol.Keys;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Infrastructure;

/// <summary>
/// Runs before the server accepts requests: bring the schema up to date, make sure signing keys
/// exist and follow their schedule, apply the clients registered in configuration, then, on a
/// fresh installation, hand the operator a link to create the first administrator.
/// </summary>
internal sealed class StartupTasks(
    DatabaseMigrator migrator,
    SigningKeyRing keys,
    IServiceScopeFactory scopes,
    ISetupLinkAnnouncer announcer,
    IOptions<DatabaseOptions> database) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (database.Value.MigrateOnStartup)
        {
            await migrator.MigrateAsync(cancellationToken);
        }

        await SigningKeyAudit.RecordScheduledAsync(scopes, await keys.EnsureKeysAsync(cancellationToken), cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ConfiguredClientsImporter>().ImportAsync(cancellationToken);
        var issue = await scope.ServiceProvider.GetRequiredService<SetupLinkIssuer>().IssueAtStartupAsync(cancellationToken);
        if (issue.NewLink is not null)
        {
            announcer.Announce(issue.NewLink);
        }
        else if (issue.OutstandingUntil is { } expiresAt)
        {
            announcer.AnnounceOutstanding(expiresAt);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
