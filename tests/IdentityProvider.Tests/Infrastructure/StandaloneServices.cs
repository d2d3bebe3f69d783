using IdentityProvider.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>The application's persistence registrations alone, without a web host.</summary>
public static class StandaloneServices
{
    public static ServiceProvider For(TestDatabase database)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:ConnectionString"] = database.ConnectionString,
        }).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddPersistence(configuration)
            .BuildServiceProvider();
    }
}
