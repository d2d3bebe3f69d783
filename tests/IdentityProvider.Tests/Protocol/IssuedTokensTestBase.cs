using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Protocol;

/// <summary>
/// For the endpoints that take tokens back (UserInfo, introspection, revocation): two
/// confidential clients and a public one that sign a user in through the code flow, and a
/// machine client with client_credentials. Every test gets its own database.
/// </summary>
public abstract class IssuedTokensTestBase : IAsyncLifetime
{
    protected const string CrmRedirect = "https://crm.example.com/signin-oidc";
    protected const string ErpRedirect = "https://erp.example.com/signin-oidc";
    protected const string SpaRedirect = "http://localhost:3000/callback";
    private TestDatabase _database = null!;

    protected IdentityProviderFactory Factory { get; private set; } = null!;

    protected HttpClient Browser { get; private set; } = null!;

    protected string AliceId { get; private set; } = null!;

    protected string CrmSecret { get; private set; } = null!;

    protected string ErpSecret { get; private set; } = null!;

    protected string ReportsSecret { get; private set; } = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        Factory = new IdentityProviderFactory(_database);
        Browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer), HandleCookies = true });
        await using var scope = Factory.Services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
        CrmSecret = await AddUserClientAsync(clients, "crm", CrmRedirect);
        ErpSecret = await AddUserClientAsync(clients, "erp", ErpRedirect);
        var spa = await clients.AddAsync(new ClientRegistration
        {
            ClientId = "spa",
            Type = ClientType.Public,
            RedirectUris = [SpaRedirect],
            GrantTypes = [GrantTypes.AuthorizationCode],
            Scopes = ["openid", "profile"],
        }, "test", CancellationToken.None);
        Assert.True(spa.Succeeded, string.Join(" ", spa.Errors));
        ReportsSecret = (await clients.AddAsync(new ClientRegistration
        {
            ClientId = "reports",
            GrantTypes = [GrantTypes.ClientCredentials],
            Scopes = ["reports.read"],
        }, "test", CancellationToken.None)).NewSecret!;
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", EmailConfirmed = true, DisplayName = "Alice Example" };
        Assert.True((await users.CreateAsync(alice)).Succeeded);
        AliceId = alice.Id;
    }

    public async Task DisposeAsync()
    {
        Browser.Dispose();
        await Factory.DisposeAsync();
        _database.Dispose();
    }

    private static async Task<string> AddUserClientAsync(ClientManager clients, string clientId, string redirectUri) =>
        (await clients.AddAsync(new ClientRegistration
        {
            ClientId = clientId,
            RedirectUris = [redirectUri],
            GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            Scopes = ["openid", "profile", "email", "offline_access"],
        }, "test", CancellationToken.None)).NewSecret!;

    protected CodeFlow Crm() => new(Browser, "crm", CrmRedirect, CrmSecret);

    protected CodeFlow Erp() => new(Browser, "erp", ErpRedirect, ErpSecret);

    protected CodeFlow Spa() => new(Browser, "spa", SpaRedirect);

    /// <summary>Signs Alice in through <paramref name="flow"/> and returns the token response.</summary>
    protected async Task<Tokens> SignInAsync(CodeFlow flow, string scope = "openid profile email offline_access")
    {
        var response = await flow.RedeemAsync(await flow.SignInAsync(AliceId, scope));
        var body = await CodeFlow.JsonAsync(response);
        return new Tokens(body.GetProperty("access_token").GetString()!, body.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : null);
    }

    protected async Task<string> ClientCredentialsTokenAsync()
    {
        var response = await PostAsync("/connect/token", "reports", ReportsSecret, ("grant_type", "client_credentials"), ("scope", "reports.read"));
        return (await CodeFlow.JsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    /// <summary>A back-channel POST: client_secret_basic when there is a secret, the client_id in the form otherwise.</summary>
    protected async Task<HttpResponseMessage> PostAsync(string path, string clientId, string? secret, params (string Name, string? Value)[] parameters)
    {
        var form = parameters.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Name, p.Value!)).ToList();
        if (secret is null)
        {
            form.Add(new("client_id", clientId));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
                Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret))));
        }

        return await Browser.SendAsync(request);
    }

    protected async Task<JsonElement> IntrospectAsync(string token, string clientId = "crm", string? secret = null, string? hint = null)
    {
        var response = await PostAsync("/connect/introspect", clientId, secret ?? SecretOf(clientId), ("token", token), ("token_type_hint", hint));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await CodeFlow.JsonAsync(response);
    }

    protected Task<HttpResponseMessage> RevokeAsync(string token, string clientId = "crm", string? hint = null) =>
        PostAsync("/connect/revoke", clientId, SecretOf(clientId), ("token", token), ("token_type_hint", hint));

    protected async Task<HttpResponseMessage> UserInfoAsync(string? accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return await Browser.SendAsync(request);
    }

    protected static bool IsActive(JsonElement introspection) => introspection.GetProperty("active").GetBoolean();

    private string? SecretOf(string clientId) => clientId switch
    {
        "crm" => CrmSecret,
        "erp" => ErpSecret,
        "reports" => ReportsSecret,
        _ => null,
    };

    protected sealed record Tokens(string AccessToken, string? RefreshToken);
}
