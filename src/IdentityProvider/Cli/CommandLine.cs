using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;

namespace IdentityProvider.Cli;

/// <summary>
/// Operator commands run with the same configuration as the server:
/// <c>IdentityProvider migrate</c> and <c>IdentityProvider admin create [--email address]</c>.
/// Anything else starts the server.
/// </summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage:
          IdentityProvider                          run the server
          IdentityProvider migrate                  apply pending database migrations and exit
          IdentityProvider admin create [--email E] print a single-use link to create the first administrator
        """ + "\n" + ClientCommands.Usage + KeyCommands.Usage;

    public static bool IsCommand(string[] args) => args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=');

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        try
        {
            return await DispatchAsync(app, args, app.Lifetime.ApplicationStopping);
        }
        catch (CommandLineException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    private static async Task<int> DispatchAsync(WebApplication app, string[] args, CancellationToken cancellationToken)
    {
        switch (args)
        {
            case ["migrate", ..]:
                var applied = await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
                Console.Out.WriteLine(applied.Count == 0 ? "Database schema is current." : $"Applied: {string.Join(", ", applied)}");
                return 0;

            case ["admin", "create", ..]:
                return await CreateAdministratorLinkAsync(app, new CommandArguments("create", args[2..]).Single("--email"), cancellationToken);

            case ["keys", var verb, ..]:
                return await KeyCommands.RunAsync(app, new CommandArguments(verb, args[2..]), cancellationToken);

            case ["clients", var verb, ..]:
                return await ClientCommands.RunAsync(app, new CommandArguments(verb, args[2..]), cancellationToken);

            default:
                Console.Error.WriteLine($"Unknown command '{string.Join(' ', args)}'.");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static async Task<int> CreateAdministratorLinkAsync(WebApplication app, string? email, CancellationToken cancellationToken)
    {
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        await using var scope = app.Services.CreateAsyncScope();
        var link = await scope.ServiceProvider.GetRequiredService<SetupLinkIssuer>()
            .IssueIfNoAdministratorAsync(email, AuditActors.CommandLine, cancellationToken);
        if (link is null)
        {
            Console.Error.WriteLine("An administrator already exists. Further administrators are added from the administration console.");
            return 1;
        }

        app.Services.GetRequiredService<ISetupLinkAnnouncer>().Announce(link);
        return 0;
    }
}
