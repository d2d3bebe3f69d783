using IdentityProvider.Admin.Clients;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Protocol.Primitives;

namespace IdentityProvider.Cli;

/// <summary><c>clients add|list|remove|rotate-secret</c>: client registration from a shell.</summary>
internal static class ClientCommands
{
    public const string Usage = """
          IdentityProvider clients list
          IdentityProvider clients add --id ID [--name NAME] [--public] [--auth-method M]
                                       [--redirect-uri URI]... [--post-logout-redirect-uri URI]...
                                       [--grant-type T]... [--scope S]... [--consent] [--require-acr mfa|phr]
                                       [--jwks-file F]
          IdentityProvider clients remove --id ID
          IdentityProvider clients rotate-secret --id ID [--overlap HH:MM:SS]
        """;

    public static async Task<int> RunAsync(WebApplication app, CommandArguments args, CancellationToken cancellationToken)
    {
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        await using var scope = app.Services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
        switch (args.Verb)
        {
            case "list":
                foreach (var client in await clients.ListAsync(cancellationToken))
                {
                    Console.Out.WriteLine(
                        $"{client.ClientId}\t{client.ClientType}\t{client.TokenEndpointAuthMethod}\t{client.AllowedGrantTypes}\t{client.RedirectUris}");
                }

                return 0;

            case "add":
                return Report(await clients.AddAsync(ToRegistration(args), AuditActors.CommandLine, cancellationToken));

            case "remove":
                var removed = await clients.RemoveAsync(args.Required("--id"), AuditActors.CommandLine, cancellationToken);
                Console.Error.WriteLine(removed ? "Client removed." : "No such client.");
                return removed ? 0 : 1;

            case "rotate-secret":
                var overlap = TimeSpan.Parse(args.Single("--overlap") ?? "1.00:00:00", System.Globalization.CultureInfo.InvariantCulture);
                return Report(await clients.RotateSecretAsync(args.Required("--id"), overlap, AuditActors.CommandLine, cancellationToken));

            default:
                Console.Error.WriteLine(CommandLine.Usage);
                return 2;
        }
    }

    private static ClientRegistration ToRegistration(CommandArguments args)
    {
        var jwksFile = args.Single("--jwks-file");
        return new ClientRegistration
        {
            ClientId = args.Required("--id"),
            DisplayName = args.Single("--name"),
            Type = args.Flag("--public") ? ClientType.Public : ClientType.Confidential,
            TokenEndpointAuthMethod = args.Single("--auth-method"),
            RedirectUris = args.All("--redirect-uri"),
            PostLogoutRedirectUris = args.All("--post-logout-redirect-uri"),
            GrantTypes = args.All("--grant-type").DefaultIfEmpty(GrantTypes.AuthorizationCode).ToList(),
            Scopes = args.All("--scope").SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList(),
            RequireConsent = args.Flag("--consent"),
            RequiredAcr = args.Single("--require-acr"),
            Jwks = jwksFile is null ? null : File.ReadAllText(jwksFile),
        };
    }

    private static int Report(ClientChange change)
    {
        if (!change.Succeeded)
        {
            foreach (var error in change.Errors)
            {
                Console.Error.WriteLine("error: " + error);
            }

            return 1;
        }

        if (change.NewSecret is not null)
        {
            // The one time the secret exists outside the client: only its hash is stored.
            Console.Out.WriteLine("Client secret (shown once, store it now):");
            Console.Out.WriteLine(change.NewSecret);
        }
        else
        {
            Console.Error.WriteLine("Done.");
        }

        return 0;
    }
}
