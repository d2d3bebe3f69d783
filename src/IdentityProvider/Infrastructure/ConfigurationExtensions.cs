namespace IdentityProvider.Infrastructure;

internal static class ConfigurationExtensions
{
    /// <summary>
    /// <c>ClientsFile</c> names a JSON file (e.g. <c>deploy/clients.json</c>) whose <c>Clients</c>
    /// array is merged into configuration, so client registrations can live beside the deployment.
    /// A named file that does not exist stops start-up: silently running without its clients would
    /// turn into confusing invalid_client errors later.
    /// </summary>
    public static IConfigurationManager AddClientsFile(this IConfigurationManager configuration)
    {
        var path = configuration["ClientsFile"];
        if (!string.IsNullOrWhiteSpace(path))
        {
            configuration.AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false);
        }

        return configuration;
    }
}
