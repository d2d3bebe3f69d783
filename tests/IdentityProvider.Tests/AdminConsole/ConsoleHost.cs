using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>
/// The app on its own SQLite database with what console tests start from: a client for the test
/// login, root (an administrator) and alice (not one), both with <see cref="Password"/>.
/// </summary>
public sealed class ConsoleHost : IAsyncDisposable
{
    public const string Redirect = "https://crm.example.com/signin-oidc";
    public const string Password = "correct horse battery staple";

    private readonly TestDatabase _database = TestDatabase.Sqlite();

    private ConsoleHost(IReadOnlyDictionary<string, string>? settings) => Factory = new IdentityProviderFactory(_database, Time, settings: settings);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));

    public IdentityProviderFactory Factory { get; }

    /// <summary>The secret of the client <c>crm</c>.</summary>
    public string Secret { get; private set; } = null!;

    public string RootId { get; private set; } = null!;

    public string AliceId { get; private set; } = null!;

    /// <param name="settings">Configuration the test needs besides the defaults (e.g. federation providers).</param>
    public static async Task<ConsoleHost> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = new ConsoleHost(settings);
        await using var scope = host.Factory.Services.CreateAsyncScope();
        host.Secret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid"],
        }, "test", CancellationToken.None)).NewSecret!;
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var root = new ApplicationUser { UserName = "root", Email = "root@example.com", CreatedAt = host.Time.GetUtcNow() };
        Assert.True((await users.CreateAsync(root, Password)).Succeeded);
        host.RootId = root.Id;
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", CreatedAt = host.Time.GetUtcNow() };
        Assert.True((await users.CreateAsync(alice, Password)).Succeeded);
        host.AliceId = alice.Id;
        await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole(Roles.Administrator));
        Assert.True((await users.AddToRoleAsync(root, Roles.Administrator)).Succeeded);
        return host;
    }

    public HttpClient NewBrowser() =>
        Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });

    /// <summary>A browser with a session for <paramref name="userId"/> that proved <paramref name="amr"/> (through the test login).</summary>
    public async Task<HttpClient> SignedInAsync(string userId, string amr = "pwd otp mfa")
    {
        var browser = NewBrowser();
        await new CodeFlow(browser, "crm", Redirect, Secret).SignInAsync(userId, "openid", amr);
        return browser;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        _database.Dispose();
    }
}
