using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using IdentityProvider.Admin.Api;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

/// <summary>
/// The provider with the clients and users the admin API tests need, and real access tokens from
/// its own token endpoint: client_credentials for automation clients, the code flow for users.
/// </summary>
public sealed class AdminApiHost : IAsyncDisposable
{
    public const string ConsoleRedirect = "https://console.example.com/cb";

    private readonly TestDatabase _database;
    private readonly Dictionary<string, string> _secrets = [];

    private AdminApiHost(TestDatabase database, IReadOnlyDictionary<string, string> settings)
    {
        _database = database;
        Factory = new IdentityProviderFactory(database, settings: settings);
        Client = Factory.CreateBrowserlessClient();
    }

    public IdentityProviderFactory Factory { get; }

    public HttpClient Client { get; }

    /// <summary>A plain user, the subject of most calls.</summary>
    public string AliceId { get; private set; } = null!;

    /// <summary>A member of the administrator role.</summary>
    public string RootId { get; private set; } = null!;

    /// <summary>
    /// Clients: <c>reader</c> (idp.admin, users.read), <c>operator</c> (idp.admin, users.read and
    /// users.manage_factors), <c>policy</c> (idp.admin, users.read, users.manage_factors and security.manage_settings), <c>auditor</c> (idp.admin, audit.read), <c>manager</c> (idp.admin, users.read and users.manage), <c>unconfigured</c> (idp.admin, no permissions), <c>reports</c> (no idp.admin), <c>console</c> (code flow with idp.admin).
    /// </summary>
    /// <param name="extra">Configuration the test needs besides the permissions (e.g. federation providers).</param>
    public static async Task<AdminApiHost> StartAsync(TestDatabase database, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            ["Administration:ClientPermissions:reader:0"] = "users.read",
            ["Administration:ClientPermissions:operator:0"] = "users.read",
            ["Administration:ClientPermissions:operator:1"] = "users.manage_factors",
            ["Administration:ClientPermissions:policy:0"] = "users.read",
            ["Administration:ClientPermissions:policy:1"] = "users.manage_factors",
            ["Administration:ClientPermissions:policy:2"] = "security.manage_settings",
            ["Administration:ClientPermissions:auditor:0"] = "audit.read",
            ["Administration:ClientPermissions:manager:0"] = "users.read",
            ["Administration:ClientPermissions:manager:1"] = "users.manage",
        };
        var host = new AdminApiHost(database, settings);
        await host.SeedAsync();
        return host;
    }

    private async Task SeedAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
        await AddClientAsync(clients, new ClientRegistration { ClientId = "reader", GrantTypes = [GrantTypes.ClientCredentials], Scopes = [AdminApiScopes.Admin] });
        await AddClientAsync(clients, new ClientRegistration { ClientId = "operator", GrantTypes = [GrantTypes.ClientCredentials], Scopes = [AdminApiScopes.Admin] });
        await AddClientAsync(clients, new ClientRegistration { ClientId = "policy", GrantTypes = [GrantTypes.ClientCredentials], Scopes = [AdminApiScopes.Admin] });
        await AddClientAsync(clients, new ClientRegistration { ClientId = "auditor", GrantTypes = [GrantTypes.ClientCredentials], Scopes = [AdminApiScopes.Admin] });
        await AddClientAsync(clients, new ClientRegistration { ClientId = "manager", GrantTypes = [GrantTypes.ClientCredentials], Scopes = [AdminApiScopes.Admin] });
        await AddClientAsync(clients, new ClientRegistration { ClientId = "unconfigured", GrantTypes = [GrantTypes.ClientCredentials], Scopes = [AdminApiScopes.Admin] });
        await AddClientAsync(clients, new ClientRegistration { ClientId = "reports", GrantTypes = [GrantTypes.ClientCredentials], Scopes = ["reports.read"] });
        await AddClientAsync(clients, new ClientRegistration
        {
            ClientId = "console", RedirectUris = [ConsoleRedirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", AdminApiScopes.Admin],
        });

        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await users.CreateAsync(alice)).Succeeded);
        AliceId = alice.Id;
        var root = new ApplicationUser { UserName = "root", Email = "root@example.com", CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await users.CreateAsync(root)).Succeeded);
        await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole(Roles.Administrator));
        Assert.True((await users.AddToRoleAsync(root, Roles.Administrator)).Succeeded);
        RootId = root.Id;
    }

    private async Task AddClientAsync(ClientManager clients, ClientRegistration registration)
    {
        var added = await clients.AddAsync(registration, "test", CancellationToken.None);
        Assert.True(added.Succeeded, string.Join(" ", added.Errors));
        _secrets[registration.ClientId] = added.NewSecret!;
    }

    /// <summary>A client's own token (RFC 6749 §4.4) with the client's registered scopes.</summary>
    public async Task<string> ClientTokenAsync(string clientId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + _secrets[clientId])));
        var response = await Client.SendAsync(request);
        var body = await CodeFlow.JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>A user's token for the console client, through the code flow and the test login.</summary>
    public async Task<string> UserTokenAsync(string userId)
    {
        using var browser = Factory.CreateBrowserlessClient();
        var flow = new CodeFlow(browser, "console", ConsoleRedirect, _secrets["console"]);
        var code = await flow.SignInAsync(userId, "openid " + AdminApiScopes.Admin);
        var response = await flow.RedeemAsync(code);
        var body = await CodeFlow.JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token) => SendAsync(method, path, token, content: null);

    /// <summary>With <paramref name="body"/> as JSON (camelCase, as the API reads it).</summary>
    public Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, string? token, object? body) =>
        SendAsync(method, path, token, JsonContent.Create(body));

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        _database.Dispose();
    }
}
