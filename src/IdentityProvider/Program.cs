using IdentityProvider.Cli;
using IdentityProvider.Infrastructure;
using IdentityProvider.Infrastructure.Logging;

var builder = WebApplication.CreateBuilder(args);
// IDP__Database__Provider=Postgres and the like; command-line arguments still win.
builder.Configuration.AddEnvironmentVariables(prefix: "IDP__").AddCommandLine(args);
builder.Configuration.AddClientsFile();
builder.AddIdentityProviderLogging(allToStandardError: CommandLine.IsCommand(args));
builder.Services.AddIdentityProvider(builder.Configuration);

var app = builder.Build();
if (CommandLine.IsCommand(args))
{
    return await CommandLine.RunAsync(app, args);
}

app.UseIdentityProvider();
await app.RunAsync();
return 0;

/// <summary>Entry point; public so integration tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
