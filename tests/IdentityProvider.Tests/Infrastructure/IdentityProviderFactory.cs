using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Persistence;
using IdentityProvider.Protocol.Keys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// The real application, in process, on the given database, in the Production environment.
/// <paramref name="issuer"/> differs from <see cref="Issuer"/> only when the app is served on a
/// real port (<see cref="KestrelIdentityProvider"/>), where it must carry that port.
/// <paramref name="settings"/> override the test defaults below, e.g. <c>Interaction:LoginPath</c>
/// for tests that sign in on the real hosted pages instead of the test login.
/// </summary>
public sealed class IdentityProviderFactory(
    TestDatabase database,
    FakeTimeProvider? time = null,
    string issuer = IdentityProviderFactory.Issuer,
    IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    public const string Issuer = "http://localhost";

    public CapturingLoggerProvider Logs { get; } = new();

    public RecordingSetupLinkAnnouncer SetupLinks { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Issuer", issuer);
        builder.UseSetting("Database:Provider", database.Provider.ToString());
        builder.UseSetting("Database:ConnectionString", database.ConnectionString);
        // Keep the console quiet; tests read the captured lines instead.
        builder.UseSetting("Serilog:MinimumLevel", "Fatal");
        builder.UseSetting("Interaction:LoginPath", TestLoginStartupFilter.Path);
        // Production's 210,000 PBKDF2 iterations cost ~100 ms a hash; tests that are not about
        // hashing cost use far fewer (PasswordSignInTests checks the default and the upgrade).
        builder.UseSetting("Passwords:Iterations", "1000");
        // Sign-in rate limits and the hashing queue are in memory per node, and TestServer clients
        // all share one address: tests that are not about them post in bursts (fifty parallel wrong
        // passwords or codes), so they get limits they never reach. SignInRateLimitTests sets tight ones.
        builder.UseSetting("RateLimits:SignInPerIp:TokenLimit", "1000000");
        builder.UseSetting("RateLimits:SignInPerAccount:TokenLimit", "1000000");
        builder.UseSetting("RateLimits:AccountRecoveryPerIp:TokenLimit", "1000000");
        builder.UseSetting("RateLimits:ProtocolPerIp:TokenLimit", "1000000");
        builder.UseSetting("RateLimits:AuthorizationPerIp:TokenLimit", "1000000");
        builder.UseSetting("RateLimits:ProtocolPerClient:TokenLimit", "1000000");
        builder.UseSetting("Passwords:HashQueueLimit", "1000000");
        // A test's own settings come last, so they win over the defaults above.
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ISetupLinkAnnouncer>(SetupLinks);
            services.AddSingleton<IRsaKeyPairSource>(PregeneratedRsaKeyPairs.Instance);
            services.AddTransient<IStartupFilter, TestLoginStartupFilter>();
            services.AddTransient<IStartupFilter, TestRemoteAddressStartupFilter>();
            if (time is not null)
            {
                services.AddSingleton<TimeProvider>(time);
            }
        });
    }

    public HttpClient CreateBrowserlessClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(issuer) });

    public async Task<T> WithDbAsync<T>(Func<IdentityProviderDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<IdentityProviderDbContext>());
    }
}
