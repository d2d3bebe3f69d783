using IdentityProvider.Infrastructure.Auditing;

namespace IdentityProvider.Admin.Clients;

/// <summary>
/// Applies the clients listed under <c>Clients</c> in configuration (appsettings, environment, or
/// the JSON file named by <c>ClientsFile</c>, e.g. <c>deploy/clients.json</c>) at start-up.
/// A registration that is invalid stops start-up with a message naming the client and the rule.
/// </summary>
public sealed partial class ConfiguredClientsImporter(
    ClientManager clients,
    IConfiguration configuration,
    ILogger<ConfiguredClientsImporter> logger)
{
    public const string SectionName = "Clients";

    public async Task ImportAsync(CancellationToken cancellationToken)
    {
        var registrations = configuration.GetSection(SectionName).Get<List<ClientRegistration>>() ?? [];
        foreach (var registration in registrations)
        {
            var result = await clients.AddOrUpdateAsync(registration, AuditActors.Configuration, cancellationToken);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(
                    $"Client '{registration.ClientId}' in configuration is invalid: {string.Join(" ", result.Errors)}");
            }
        }

        if (registrations.Count > 0)
        {
            LogImported(logger, registrations.Count);
        }
    }

    [LoggerMessage(4001, LogLevel.Information, "Applied {Count} client registration(s) from configuration")]
    private static partial void LogImported(ILogger logger, int count);
}
