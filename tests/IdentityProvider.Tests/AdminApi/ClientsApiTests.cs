using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tests.AdminApi;

/// <summary>Registered clients through <c>/admin/api/clients</c>, under <c>clients.manage</c>.</summary>
public sealed class ClientsApiTests : IAsyncLifetime
{
    private const string Redirect = "https://billing.example.com/cb";

    private AdminApiHost _host = null!;

    /// <summary>The administrator's token: the admin role holds clients.manage.</summary>
    private string _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await AdminApiHost.StartAsync(TestDatabase.Sqlite());
        _admin = await _host.UserTokenAsync(_host.RootId);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static object NewBilling() => new
    {
        clientId = "billing", displayName = "Billing", redirectUris = new[] { Redirect }, grantTypes = new[] { "authorization_code", "refresh_token" },
        scopes = new[] { "openid", "profile" },
    };

    private static object Update(string[] redirectUris, string? requiredAcr = "mfa") => new
    {
        displayName = "Billing", redirectUris, postLogoutRedirectUris = Array.Empty<string>(), grantTypes = new[] { "authorization_code" },
        scopes = new[] { "openid" }, requirePkce = true, requireConsent = true, requiredAcr,
    };

    private async Task<string> CreateBillingAsync()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/clients", _admin, NewBilling());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await CodeFlow.JsonAsync(response)).GetProperty("secret").GetString()!;
    }

    private Task<int> ClientCountAsync() => _host.Factory.WithDbAsync(db => db.Clients.CountAsync());

    /// <summary>The token endpoint's verdict on a secret: it is the proof that a secret works.</summary>
    private async Task<HttpStatusCode> ClientCredentialsAsync(string clientId, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + secret)));
        return (await _host.Client.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Creates_AClient_ShowsTheSecretOnce_AndStoresOnlyItsHash()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/clients", _admin, NewBilling());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/admin/api/clients/billing", response.Headers.Location!.OriginalString);
        var created = await CodeFlow.JsonAsync(response);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.Equal("confidential", created.GetProperty("client").GetProperty("type").GetString());
        Assert.Equal("client_secret_basic", created.GetProperty("client").GetProperty("tokenEndpointAuthMethod").GetString());
        var stored = await _host.Factory.WithDbAsync(db => db.ClientSecrets.SingleAsync(s => s.ClientId == "billing"));
        Assert.NotEqual(secret, stored.SecretHash);
        var read = await _host.SendAsync(HttpMethod.Get, "/admin/api/clients/billing", _admin);
        var text = await read.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(stored.SecretHash, text, StringComparison.Ordinal);
        Assert.Equal([Redirect], JsonDocument.Parse(text).RootElement.GetProperty("redirectUris").EnumerateArray().Select(u => u.GetString()));
        Assert.True(await _host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.ClientCreated && e.TargetId == "billing" && e.Actor == _host.RootId)));
    }

    [Fact]
    public async Task Lists_TheClients_WithoutSecretsOrHashes()
    {
        await CreateBillingAsync();
        var hashes = await _host.Factory.WithDbAsync(db => db.ClientSecrets.Select(s => s.SecretHash).ToListAsync());

        var response = await _host.SendAsync(HttpMethod.Get, "/admin/api/clients", _admin);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("billing", JsonDocument.Parse(text).RootElement.EnumerateArray().Select(c => c.GetProperty("clientId").GetString()));
        Assert.All(hashes, hash => Assert.DoesNotContain(hash, text, StringComparison.Ordinal));
    }

    public static TheoryData<string, object, string> InvalidClients => new()
    {
        { "a bad id", new { clientId = "bad id", grantTypes = new[] { "client_credentials" } }, "clientId" },
        { "no grant types", new { clientId = "billing" }, "grantTypes" },
        { "an unknown grant type", new { clientId = "billing", grantTypes = new[] { "password" } }, "grantTypes" },
        { "a code flow without redirect URIs", new { clientId = "billing", grantTypes = new[] { "authorization_code" } }, "redirectUris" },
        { "a plain-http redirect URI", new { clientId = "billing", grantTypes = new[] { "authorization_code" }, redirectUris = new[] { "http://billing.example.com/cb" } }, "redirectUris" },
        { "an unknown acr", new { clientId = "billing", grantTypes = new[] { "client_credentials" }, requiredAcr = "strong" }, "requiredAcr" },
        { "a public client with a secret method", new { clientId = "billing", type = "public", tokenEndpointAuthMethod = "client_secret_basic", grantTypes = new[] { "refresh_token" } }, "tokenEndpointAuthMethod" },
        { "an unknown type", new { clientId = "billing", type = "secret", grantTypes = new[] { "client_credentials" } }, "type" },
    };

    [Theory]
    [MemberData(nameof(InvalidClients))]
    public async Task Rejects_AnInvalidRegistration_NamingTheField_AndRegistersNothing(string _, object body, string field)
    {
        var before = await ClientCountAsync();

        var response = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/clients", _admin, body);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.NotEmpty(Problems.ListOf(problem));
        Assert.Equal(before, await ClientCountAsync());
    }

    [Fact]
    public async Task Rejects_ATakenClientId_WithConflict()
    {
        await CreateBillingAsync();

        var response = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/clients", _admin, NewBilling());

        await Problems.AssertAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(1, await _host.Factory.WithDbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == "billing")));
    }

    [Fact]
    public async Task Updates_RedirectUrisConsentAndRequiredAcr()
    {
        await CreateBillingAsync();

        var response = await _host.SendJsonAsync(HttpMethod.Put, "/admin/api/clients/billing", _admin, Update(["https://billing.example.com/callback"]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await _host.Factory.WithDbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "billing"));
        Assert.Equal(("https://billing.example.com/callback", "authorization_code", true, "mfa"),
            (stored.RedirectUris, stored.AllowedGrantTypes, stored.RequireConsent, stored.RequiredAcr));
        Assert.True(await _host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.ClientUpdated && e.TargetId == "billing")));
    }

    [Fact]
    public async Task Rejects_AnInvalidUpdate_NamingTheField_AndKeepsTheClient()
    {
        await CreateBillingAsync();

        var badUri = await _host.SendJsonAsync(HttpMethod.Put, "/admin/api/clients/billing", _admin, Update(["https://billing.example.com/cb#frag"]));
        var badAcr = await _host.SendJsonAsync(HttpMethod.Put, "/admin/api/clients/billing", _admin, Update([Redirect], "strong"));
        var missing = await _host.SendJsonAsync(HttpMethod.Put, "/admin/api/clients/billing", _admin, new { redirectUris = new[] { Redirect } });

        Assert.Contains("fragment", (await Problems.AssertAsync(badUri, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("redirectUris")[0].GetString(), StringComparison.Ordinal);
        Assert.True((await Problems.AssertAsync(badAcr, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("requiredAcr", out _));
        Assert.Contains("'grantTypes' is required.", Problems.ListOf(await Problems.AssertAsync(missing, HttpStatusCode.BadRequest)));
        var stored = await _host.Factory.WithDbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "billing"));
        Assert.Equal((Redirect, false, (string?)null), (stored.RedirectUris, stored.RequireConsent, stored.RequiredAcr));
    }

    [Fact]
    public async Task RotatesTheSecret_ShowingTheNewOneOnce_AndTheOldOneKeepsWorkingForADay()
    {
        var oldSecret = await CreateBillingAsync();
        await _host.SendJsonAsync(HttpMethod.Put, "/admin/api/clients/billing", _admin, new
        {
            redirectUris = new[] { Redirect }, postLogoutRedirectUris = Array.Empty<string>(), grantTypes = new[] { "authorization_code", "client_credentials" },
            scopes = new[] { "openid" }, requirePkce = true, requireConsent = false,
        });

        var response = await _host.SendAsync(HttpMethod.Post, "/admin/api/clients/billing/secret", _admin);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rotated = await CodeFlow.JsonAsync(response);
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal(HttpStatusCode.OK, await ClientCredentialsAsync("billing", newSecret));
        Assert.Equal(HttpStatusCode.OK, await ClientCredentialsAsync("billing", oldSecret));
        var secrets = (await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, "/admin/api/clients/billing", _admin))).GetProperty("secrets");
        Assert.Equal(2, secrets.GetArrayLength());
        Assert.Equal(JsonValueKind.String, secrets[0].GetProperty("expiresAt").ValueKind);
        Assert.DoesNotContain(newSecret, await (await _host.SendAsync(HttpMethod.Get, "/admin/api/clients", _admin)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(await _host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.ClientSecretRotated && e.TargetId == "billing")));
    }

    [Fact]
    public async Task Refuses_ToRotateASecret_ForAClientWithoutOne()
    {
        await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/clients", _admin, new
        {
            clientId = "spa", type = "public", redirectUris = new[] { Redirect }, grantTypes = new[] { "authorization_code" }, scopes = new[] { "openid" },
        });

        var response = await _host.SendAsync(HttpMethod.Post, "/admin/api/clients/spa/secret", _admin);

        await Problems.AssertAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(0, await _host.Factory.WithDbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == "spa")));
    }

    [Fact]
    public async Task Deletes_AClient_AndItsSecretStopsWorking()
    {
        var secret = await CreateBillingAsync();

        var response = await _host.SendAsync(HttpMethod.Delete, "/admin/api/clients/billing", _admin);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(await _host.Factory.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "billing")));
        Assert.NotEqual(HttpStatusCode.OK, await ClientCredentialsAsync("billing", secret));
    }

    [Fact]
    public async Task Answers404_ForAnUnknownClient()
    {
        var get = await _host.SendAsync(HttpMethod.Get, "/admin/api/clients/nobody", _admin);
        var put = await _host.SendJsonAsync(HttpMethod.Put, "/admin/api/clients/nobody", _admin, Update([Redirect]));
        var delete = await _host.SendAsync(HttpMethod.Delete, "/admin/api/clients/nobody", _admin);
        var rotate = await _host.SendAsync(HttpMethod.Post, "/admin/api/clients/nobody/secret", _admin);

        foreach (var response in new[] { get, put, delete, rotate })
        {
            Assert.Contains("nobody", (await Problems.AssertAsync(response, HttpStatusCode.NotFound)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.False(await _host.Factory.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "nobody")));
    }

    [Fact]
    public async Task Requires_ClientsManage_ForEveryOperation_AndNothingChanges()
    {
        await CreateBillingAsync();
        var policy = await _host.ClientTokenAsync("policy");
        var alice = await _host.UserTokenAsync(_host.AliceId);
        var before = await _host.Factory.WithDbAsync(db => db.Clients.AsNoTracking().Include(c => c.Secrets).SingleAsync(c => c.ClientId == "billing"));

        foreach (var token in new[] { policy, alice })
        {
            var responses = new[]
            {
                await _host.SendAsync(HttpMethod.Get, "/admin/api/clients", token),
                await _host.SendAsync(HttpMethod.Get, "/admin/api/clients/billing", token),
                await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/clients", token, new { clientId = "other", grantTypes = new[] { "client_credentials" } }),
                await _host.SendJsonAsync(HttpMethod.Put, "/admin/api/clients/billing", token, Update(["https://evil.example.com/cb"])),
                await _host.SendAsync(HttpMethod.Post, "/admin/api/clients/billing/secret", token),
                await _host.SendAsync(HttpMethod.Delete, "/admin/api/clients/billing", token),
            };
            foreach (var response in responses)
            {
                Assert.Contains("clients.manage", (await Problems.AssertAsync(response, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }

        var after = await _host.Factory.WithDbAsync(db => db.Clients.AsNoTracking().Include(c => c.Secrets).SingleAsync(c => c.ClientId == "billing"));
        Assert.Equal((before.RedirectUris, before.Secrets.Count), (after.RedirectUris, after.Secrets.Count));
        Assert.False(await _host.Factory.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "other")));
    }
}
