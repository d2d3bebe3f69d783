using IdentityProvider.Admin.Clients;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Samples.Api;
using Samples.Crm.Data;

namespace Samples.Tests;

/// <summary>
/// The identity provider, the API and the CRM, each on its own loopback port, wired together
/// through configuration only, as <c>samples/run.sh</c> wires them. Shared by the tests of a
/// class; every test brings its own user and browser. The provider and the CRM read one fake
/// clock, which stands still unless a test moves it (the API keeps the real one). The provider
/// sends users to the test login unless a subclass names another login path.
/// </summary>
public class SamplesFixture : IAsyncLifetime
{
    public const string ClientId = "crm";
    public const string ClientSecret = "samples-tests-secret";
    public const string ServiceClientId = "reporting";
    public const string ServiceClientSecret = "reporting-tests-secret";

    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private readonly string _crmDirectory = Path.Combine(Path.GetTempPath(), "crm-" + Guid.NewGuid().ToString("N")[..10]);

    private readonly string? _loginPath;

    public SamplesFixture()
        : this(loginPath: null)
    {
    }

    protected SamplesFixture(string? loginPath) => _loginPath = loginPath;

    /// <summary>Further provider settings, read when the provider starts (e.g. an SMTP server's port).</summary>
    protected virtual IReadOnlyDictionary<string, string> IdpSettings() => new Dictionary<string, string>();

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public KestrelIdentityProvider Idp { get; private set; } = null!;

    public SampleHost<Deal> Api { get; private set; } = null!;

    public SampleHost<CrmDbContext> Crm { get; private set; } = null!;

    public string CallbackUri => Crm.BaseUrl + "/signin-oidc";

    public virtual async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>(IdpSettings());
        if (_loginPath is not null)
        {
            settings["Interaction:LoginPath"] = _loginPath;
        }

        Idp = await KestrelIdentityProvider.StartAsync(_database, Time, settings.Count == 0 ? null : settings);
        Api = SampleHost<Deal>.Start(new Dictionary<string, string> { ["Authentication:Authority"] = Idp.Issuer });
        Directory.CreateDirectory(_crmDirectory);
        Crm = SampleHost<CrmDbContext>.Start(new Dictionary<string, string>
        {
            ["OpenIdConnect:Authority"] = Idp.Issuer,
            ["OpenIdConnect:ClientSecret"] = ClientSecret,
            ["Api:BaseUrl"] = Api.BaseUrl,
            ["Crm:DatabasePath"] = Path.Combine(_crmDirectory, "crm.db"),
        }, Time);

        // The registration samples/clients.json makes, on this run's ports.
        await RegisterAsync(new ClientRegistration
        {
            ClientId = ClientId,
            Secret = ClientSecret,
            RedirectUris = [CallbackUri],
            PostLogoutRedirectUris = [Crm.BaseUrl + "/signed-out"],
            GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            Scopes = ["openid", "profile", "email", "offline_access", "deals.read"],
        });
        // A machine client whose tokens lack deals.read, for the API's 403.
        await RegisterAsync(new ClientRegistration
        {
            ClientId = ServiceClientId,
            Secret = ServiceClientSecret,
            GrantTypes = [GrantTypes.ClientCredentials],
            Scopes = ["reports.read"],
        });
    }

    public async Task<T> WithIdpServicesAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Idp.Factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>A new user at the provider; returns its subject.</summary>
    public async Task<string> CreateUserAsync(string displayName)
    {
        await using var scope = Idp.Factory.Services.CreateAsyncScope();
        var name = "user-" + Guid.NewGuid().ToString("N")[..8];
        var user = new ApplicationUser { UserName = name, Email = name + "@example.com", EmailConfirmed = true, DisplayName = displayName };
        var created = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(user);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        return user.Id;
    }

    /// <summary>A new user at the provider who signs in with a password on the hosted pages.</summary>
    public async Task<PasswordUser> CreatePasswordUserAsync(string displayName)
    {
        await using var scope = Idp.Factory.Services.CreateAsyncScope();
        var name = "user-" + Guid.NewGuid().ToString("N")[..8];
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var user = new ApplicationUser { UserName = name, Email = name + "@example.com", EmailConfirmed = true, DisplayName = displayName };
        var created = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(user, password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        return new PasswordUser(user.Id, name, password);
    }

    public Browser NewBrowser() => new(Crm.BaseUrl);

    public virtual async Task DisposeAsync()
    {
        await Crm.DisposeAsync();
        await Api.DisposeAsync();
        await Idp.DisposeAsync();
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_crmDirectory, recursive: true);
    }

    private async Task RegisterAsync(ClientRegistration registration)
    {
        await using var scope = Idp.Factory.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ClientManager>().AddOrUpdateAsync(registration, "test", CancellationToken.None);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors));
    }
}

public sealed record PasswordUser(string Id, string UserName, string Password);
