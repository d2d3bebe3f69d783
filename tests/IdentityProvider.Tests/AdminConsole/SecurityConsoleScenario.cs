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
/// The people of the security-settings, organisations and policy-check console tests, on a fresh
/// SQLite database per test: <c>root</c> (administrator, every permission), <c>hana</c> (role
/// <c>helpdesk</c>, which holds <c>users.read</c> only) and <c>alice</c> (no role), and a client <c>crm</c>.
/// </summary>
public sealed class SecurityConsoleScenario : IAsyncDisposable
{
    public const string Redirect = "https://crm.example.com/signin-oidc";
    public const string Password = "correct horse battery staple";

    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private string _secret = null!;

    private SecurityConsoleScenario()
    {
        Factory = new IdentityProviderFactory(_database, Time, settings: new Dictionary<string, string>
        {
            ["Administration:RolePermissions:helpdesk:0"] = "users.read",
        });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 9, 0, 10, TimeSpan.Zero));

    public IdentityProviderFactory Factory { get; }

    public string Root { get; private set; } = null!;

    public string Hana { get; private set; } = null!;

    public string Alice { get; private set; } = null!;

    public static async Task<SecurityConsoleScenario> CreateAsync()
    {
        var scenario = new SecurityConsoleScenario();
        await scenario.SeedAsync();
        return scenario;
    }

    private async Task SeedAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        _secret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm", DisplayName = "CRM", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid"],
        }, "test", CancellationToken.None)).NewSecret!;
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        Assert.True((await roles.CreateAsync(new IdentityRole(Roles.Administrator))).Succeeded);
        Assert.True((await roles.CreateAsync(new IdentityRole("helpdesk"))).Succeeded);
        Root = await CreateUserAsync(scope, "root", Roles.Administrator);
        Hana = await CreateUserAsync(scope, "hana", "helpdesk");
        Alice = await CreateUserAsync(scope, "alice", role: null);
    }

    private async Task<string> CreateUserAsync(AsyncServiceScope scope, string name, string? role)
    {
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = name, Email = name + "@example.com", CreatedAt = Time.GetUtcNow() };
        Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        if (role is not null)
        {
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        }

        return user.Id;
    }

    /// <summary>A browser whose session proved a password and a second factor (through the test login).</summary>
    public async Task<HttpClient> SignedInWithTwoFactorsAsync(string userId)
    {
        var browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        await new CodeFlow(browser, "crm", Redirect, _secret).SignInAsync(userId, "openid", "pwd otp mfa");
        return browser;
    }

    public async Task<T> WithServiceAsync<TService, T>(Func<TService, Task<T>> use) where TService : notnull
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        _database.Dispose();
    }
}
