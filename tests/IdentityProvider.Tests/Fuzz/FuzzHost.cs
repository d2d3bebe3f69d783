using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentityProvider.Admin.Api;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Fuzz;

/// <summary>
/// One app on SQLite for the whole fuzz class, seeded with something behind every door: a
/// confidential client with one redirect URI, a public client, alice with a password and TOTP
/// (recovery codes included), root (an administrator) with a signed-in console session, and an
/// automation client holding every admin API permission.
/// </summary>
public sealed class FuzzHost : IAsyncLifetime
{
    public const string RedirectUri = "https://crm.example.com/signin-oidc";
    public const string PostLogoutRedirectUri = "https://crm.example.com/signed-out";
    public const string Password = "correct horse battery staple";
    private const string AdminClient = "fuzz-admin";

    private readonly TestDatabase _database = TestDatabase.Sqlite();

    public FuzzHost()
    {
        var settings = new Dictionary<string, string>();
        for (var i = 0; i < AdminPermissions.All.Count; i++)
        {
            settings[$"Administration:ClientPermissions:{AdminClient}:{i}"] = AdminPermissions.All[i];
        }

        Factory = new IdentityProviderFactory(_database, settings: settings);
    }

    public IdentityProviderFactory Factory { get; }

    public FuzzCredentials Credentials { get; private set; } = null!;

    public IReadOnlyList<FuzzEndpoint> Endpoints { get; private set; } = [];

    public async Task InitializeAsync()
    {
        string crmSecret, adminSecret;
        string rootId;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
            crmSecret = await AddClientAsync(clients, new ClientRegistration
            {
                ClientId = "crm", RedirectUris = [RedirectUri], PostLogoutRedirectUris = [PostLogoutRedirectUri],
                GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken], Scopes = ["openid", "profile", "email", "offline_access"],
            });
            await AddClientAsync(clients, new ClientRegistration
            {
                ClientId = "spa", Type = ClientType.Public, RedirectUris = ["https://spa.example.com/cb"], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid"],
            });
            adminSecret = await AddClientAsync(clients, new ClientRegistration
            {
                ClientId = AdminClient, GrantTypes = [GrantTypes.ClientCredentials], Scopes = [AdminApiScopes.Admin],
            });

            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
            var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", CreatedAt = time.GetUtcNow() };
            Assert.True((await users.CreateAsync(alice, Password)).Succeeded);
            var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
            var enrolment = await totp.BeginEnrolmentAsync(alice.Id, alice.Email, CancellationToken.None);
            Assert.True(await totp.ActivateAsync(alice.Id, Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), time.GetUtcNow()), CancellationToken.None));
            var root = new ApplicationUser { UserName = "root", Email = "root@example.com", CreatedAt = time.GetUtcNow() };
            Assert.True((await users.CreateAsync(root, Password)).Succeeded);
            await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole(Roles.Administrator));
            Assert.True((await users.AddToRoleAsync(root, Roles.Administrator)).Succeeded);
            rootId = root.Id;
        }

        var session = new CookieContainer();
        using var browser = Factory.CreateDefaultClient(new Uri(IdentityProviderFactory.Issuer), new CookieContainerHandler(session));
        await new CodeFlow(browser, "crm", RedirectUri, crmSecret).SignInAsync(rootId, "openid", "pwd otp mfa");
        var anonymous = new CookieContainer();
        using var stranger = Factory.CreateDefaultClient(new Uri(IdentityProviderFactory.Issuer), new CookieContainerHandler(anonymous));

        var discovery = JsonDocument.Parse(await browser.GetStringAsync(OpenIdConnectEndpoints.DiscoveryPath)).RootElement;
        Endpoints = EndpointCatalogue.Read(Factory.Services, discovery);

        // Every page without route values, fetched as root and as a stranger: their forms name the
        // fields the fuzz sends, and they hand out the antiforgery tokens that get a post past the 400.
        var fieldNames = new SortedSet<string>(StringComparer.Ordinal);
        var sessionToken = "";
        var anonymousToken = "";
        foreach (var page in Endpoints.Where(e => e.IsPage && e.Route!.Parameters.Count == 0))
        {
            sessionToken = await HarvestAsync(browser, page.Pattern, fieldNames) ?? sessionToken;
            anonymousToken = await HarvestAsync(stranger, page.Pattern, fieldNames) ?? anonymousToken;
        }

        var issuer = new Uri(IdentityProviderFactory.Issuer);
        Credentials = new FuzzCredentials(
            AdminBearer: await ClientTokenAsync(browser, AdminClient, adminSecret),
            ClientId: "crm",
            ClientSecret: crmSecret,
            PublicClientId: "spa",
            RedirectUri: RedirectUri,
            PostLogoutRedirectUri: PostLogoutRedirectUri,
            SessionCookies: session.GetCookieHeader(issuer),
            SessionAntiforgeryToken: sessionToken,
            AnonymousCookies: anonymous.GetCookieHeader(issuer),
            AnonymousAntiforgeryToken: anonymousToken,
            SessionCookieName: session.GetAllCookies().Select(c => c.Name).First(name => !name.Contains("Antiforgery", StringComparison.Ordinal)),
            FormFieldNames: [.. fieldNames.Where(name => name != "__RequestVerificationToken")],
            JsonPropertyNames: JsonPropertyNames(JsonDocument.Parse(await browser.GetStringAsync(IdentityProvider.Admin.Api.AdminApi.OpenApiPath)).RootElement));
        Assert.NotEmpty(Credentials.SessionAntiforgeryToken);
        Assert.NotEmpty(Credentials.AnonymousAntiforgeryToken);
    }

    private static async Task<string> AddClientAsync(ClientManager clients, ClientRegistration registration)
    {
        var added = await clients.AddAsync(registration, "test", CancellationToken.None);
        Assert.True(added.Succeeded, string.Join(" ", added.Errors));
        return added.NewSecret ?? "";
    }

    private static async Task<string> ClientTokenAsync(HttpClient client, string clientId, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + secret)));
        var body = await CodeFlow.JsonAsync(await client.SendAsync(request));
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Adds the page's form field names; returns its antiforgery token, if it has a form.</summary>
    private static async Task<string?> HarvestAsync(HttpClient client, string path, SortedSet<string> names)
    {
        var response = await client.GetAsync(path);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var page = await HtmlForms.ReadPageAsync(response, path);
        foreach (var field in page.Document.QuerySelectorAll("input[name], select[name], textarea[name], button[name]"))
        {
            names.Add(field.GetAttribute("name")!);
        }

        return page.AntiforgeryToken;
    }

    /// <summary>The property names of every schema the admin API's OpenAPI document describes.</summary>
    private static IReadOnlyList<string> JsonPropertyNames(JsonElement document)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Walk(document);
        return [.. names];

        void Walk(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "properties" && property.Value.ValueKind == JsonValueKind.Object)
                    {
                        names.UnionWith(property.Value.EnumerateObject().Select(p => p.Name));
                    }

                    Walk(property.Value);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item);
                }
            }
        }
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        _database.Dispose();
    }
}
