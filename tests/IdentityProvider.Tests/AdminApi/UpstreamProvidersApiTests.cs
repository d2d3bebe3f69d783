using System.Net;
using System.Text.Json;
using IdentityProvider.Federation;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

/// <summary>
/// Upstream sign-in providers through <c>/admin/api/upstream-providers</c>: read with users.read,
/// changed with security.manage_settings; the client secret goes in and never comes out.
/// </summary>
public sealed class UpstreamProvidersApiTests : IAsyncLifetime
{
    private const string Path = "/admin/api/upstream-providers";
    private const string Secret = "upstream-secret-Rk41zT";
    private const string NewSecret = "replacement-secret-Jp63xN";
    private const string ConfigSecret = "from-config-secret-Qm58";

    private AdminApiHost _host = null!;

    /// <summary>The administrator's token: the admin role holds every permission.</summary>
    private string _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await AdminApiHost.StartAsync(TestDatabase.Sqlite(), new Dictionary<string, string>
        {
            ["Federation:Providers:0:Id"] = "configured",
            ["Federation:Providers:0:DisplayName"] = "Configured IdP",
            ["Federation:Providers:0:Issuer"] = "https://login.configured.example",
            ["Federation:Providers:0:ClientId"] = "idp",
            ["Federation:Providers:0:ClientSecret"] = ConfigSecret,
        });
        _admin = await _host.UserTokenAsync(_host.RootId);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static object NewEntra(string id = "entra", string issuer = "https://login.contoso.example/v2.0", string? secret = Secret) => new
    {
        id, displayName = "Contoso", issuer, clientId = "our-client", clientSecret = secret, clientAuthentication = "client_secret_post",
        scopes = new[] { "openid", "email" }, mfaRule = "require-local", domains = new[] { "contoso.example" },
    };

    private static object Update(string? secret = null, string[]? scopes = null, string mfaRule = "trust-upstream-amr") => new
    {
        displayName = "Contoso Entra", issuer = "https://login.contoso.example/v2.0", clientId = "our-client", clientSecret = secret,
        clientAuthentication = "client_secret_basic", scopes = scopes ?? ["openid", "profile"], claims = new { subject = "oid", email = "email", name = "name" },
        mfaRule, provisionUsers = false, linkByEmail = true, domains = Array.Empty<string>(), enabled = false,
    };

    private async Task CreateEntraAsync()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, Path, _admin, NewEntra());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<string?> SecretOfAsync(string id)
    {
        await using var scope = _host.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IUpstreamProviderDirectory>().GetClientSecretAsync(id, CancellationToken.None);
    }

    private Task<int> RowsAsync() => _host.Factory.WithDbAsync(db => db.UpstreamProviders.CountAsync());

    private static async Task<(JsonElement Body, string Text)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return (JsonDocument.Parse(text).RootElement, text);
    }

    [Fact]
    public async Task Creates_AProvider_Answering201WithItsLocation_WithoutTheSecret()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, Path, _admin, NewEntra());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/admin/api/upstream-providers/entra", response.Headers.Location?.OriginalString);
        var (body, text) = await ReadAsync(response);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("clientSecret", out _));
        Assert.True(body.GetProperty("hasClientSecret").GetBoolean());
        Assert.Equal(("database", "http://localhost/federation/entra/callback", "require-local", "client_secret_post"),
            (body.GetProperty("source").GetString(), body.GetProperty("callbackUrl").GetString(), body.GetProperty("mfaRule").GetString(),
                body.GetProperty("clientAuthentication").GetString()));
        // Defaults as in configuration for what the body left out.
        Assert.Equal((true, false, true, "sub"), (body.GetProperty("provisionUsers").GetBoolean(), body.GetProperty("linkByEmail").GetBoolean(),
            body.GetProperty("enabled").GetBoolean(), body.GetProperty("claims").GetProperty("subject").GetString()));
        var row = await _host.Factory.WithDbAsync(db => db.UpstreamProviders.SingleAsync());
        Assert.NotNull(row.ProtectedClientSecret);
        Assert.DoesNotContain(Secret, row.ProtectedClientSecret, StringComparison.Ordinal);
        Assert.Equal(Secret, await SecretOfAsync("entra"));
        var audit = await _host.Factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.FederationProviderCreated));
        Assert.Equal((_host.RootId, "entra"), (audit.Actor, audit.TargetId));
        Assert.DoesNotContain(Secret, audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lists_ConfigurationAndDatabaseProviders_WithLinkedUsers_AndNoSecret()
    {
        await CreateEntraAsync();
        await using (var scope = _host.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.AddLoginAsync((await users.FindByIdAsync(_host.AliceId))!, new UserLoginInfo("entra", "sub-1", "Contoso"))).Succeeded);
        }

        var response = await _host.SendAsync(HttpMethod.Get, Path, await _host.ClientTokenAsync("reader"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (body, text) = await ReadAsync(response);
        Assert.Equal(["configured", "entra"], body.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.Equal(["configuration", "database"], body.EnumerateArray().Select(p => p.GetProperty("source").GetString()));
        Assert.Equal([0, 1], body.EnumerateArray().Select(p => p.GetProperty("linkedUsers").GetInt32()));
        Assert.All(body.EnumerateArray(), p => Assert.True(p.GetProperty("hasClientSecret").GetBoolean()));
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(ConfigSecret, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gets_OneProvider_Or404()
    {
        await CreateEntraAsync();

        var found = await _host.SendAsync(HttpMethod.Get, Path + "/entra", _admin);
        var missing = await _host.SendAsync(HttpMethod.Get, Path + "/nobody", _admin);

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var (body, text) = await ReadAsync(found);
        Assert.Equal("Contoso", body.GetProperty("displayName").GetString());
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        var problem = await Problems.AssertAsync(missing, HttpStatusCode.NotFound);
        Assert.Contains("'nobody'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_AnInvalidProvider_WithErrorsByField_AndCreatesNothing()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, Path, _admin, new
        {
            id = "Entra!", displayName = "Contoso", issuer = "http://login.contoso.example", clientId = "our-client", mfaRule = "sometimes",
        });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["clientSecret", "id", "issuer", "mfaRule"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("not one of bypass", errors.GetProperty("mfaRule")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await RowsAsync());
    }

    [Fact]
    public async Task NamesTheField_OfEveryProblemTheRulesFind()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, Path, _admin, new
        {
            id = "", displayName = "", issuer = "", clientId = "", scopes = new[] { "profile" }, claims = new { subject = "", email = "", name = "" },
            domains = new[] { "not a domain" },
        });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["claims", "clientId", "clientSecret", "displayName", "domains", "id", "issuer", "scopes"],
            problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(0, await RowsAsync());
    }

    [Fact]
    public async Task Answers409_ForAnIdAlreadyUsed_ByConfigurationOrTheDatabase()
    {
        await CreateEntraAsync();

        var configured = await _host.SendJsonAsync(HttpMethod.Post, Path, _admin, NewEntra(id: "configured"));
        var stored = await _host.SendJsonAsync(HttpMethod.Post, Path, _admin, NewEntra(secret: NewSecret));

        await Problems.AssertAsync(configured, HttpStatusCode.Conflict);
        await Problems.AssertAsync(stored, HttpStatusCode.Conflict);
        Assert.Equal(1, await RowsAsync());
        Assert.Equal(Secret, await SecretOfAsync("entra"));
    }

    [Fact]
    public async Task Updates_AProvider_KeepingTheSecret_WhenNoneIsGiven()
    {
        await CreateEntraAsync();

        var response = await _host.SendJsonAsync(HttpMethod.Put, Path + "/entra", _admin, Update());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (body, text) = await ReadAsync(response);
        Assert.Equal(("trust-upstream-amr", false, "oid"), (body.GetProperty("mfaRule").GetString(), body.GetProperty("enabled").GetBoolean(),
            body.GetProperty("claims").GetProperty("subject").GetString()));
        Assert.True(body.GetProperty("hasClientSecret").GetBoolean());
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.Equal(Secret, await SecretOfAsync("entra"));
        var row = await _host.Factory.WithDbAsync(db => db.UpstreamProviders.SingleAsync());
        Assert.Equal(("client_secret_basic", "openid profile", "trust-upstream-amr", false), (row.ClientAuthentication, row.Scopes, row.MfaRule, row.Enabled));
        Assert.Contains(AuditActions.FederationProviderUpdated, await _host.Factory.WithDbAsync(db => db.AuditEvents.Select(e => e.Action).ToListAsync()));
    }

    [Fact]
    public async Task Updates_AProvider_ReplacingTheSecret_WhenOneIsGiven()
    {
        await CreateEntraAsync();

        var response = await _host.SendJsonAsync(HttpMethod.Put, Path + "/entra", _admin, Update(secret: NewSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(NewSecret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(NewSecret, await SecretOfAsync("entra"));
        var row = await _host.Factory.WithDbAsync(db => db.UpstreamProviders.SingleAsync());
        Assert.DoesNotContain(NewSecret, row.ProtectedClientSecret, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_AnInvalidOrIncompleteUpdate_AndChangesNothing()
    {
        await CreateEntraAsync();
        var before = await _host.Factory.WithDbAsync(db => db.UpstreamProviders.AsNoTracking().SingleAsync());

        var invalid = await _host.SendJsonAsync(HttpMethod.Put, Path + "/entra", _admin, Update(secret: NewSecret, scopes: ["profile"]));
        var incomplete = await _host.SendJsonAsync(HttpMethod.Put, Path + "/entra", _admin, new { displayName = "Contoso" });

        var problem = await Problems.AssertAsync(invalid, HttpStatusCode.BadRequest);
        Assert.Equal("Scopes must include openid.", problem.GetProperty("errors").GetProperty("scopes")[0].GetString());
        var missing = Problems.ListOf(await Problems.AssertAsync(incomplete, HttpStatusCode.BadRequest));
        Assert.Contains("'issuer' is required.", missing);
        var after = await _host.Factory.WithDbAsync(db => db.UpstreamProviders.AsNoTracking().SingleAsync());
        Assert.Equal((before.Scopes, before.MfaRule, before.DisplayName, before.UpdatedAt), (after.Scopes, after.MfaRule, after.DisplayName, after.UpdatedAt));
        Assert.Equal(Secret, await SecretOfAsync("entra"));
    }

    [Fact]
    public async Task Answers404_ForAnUnknownProvider_OnUpdateAndDelete()
    {
        var update = await _host.SendJsonAsync(HttpMethod.Put, Path + "/nobody", _admin, Update(secret: NewSecret));
        var delete = await _host.SendAsync(HttpMethod.Delete, Path + "/nobody", _admin);

        await Problems.AssertAsync(update, HttpStatusCode.NotFound);
        await Problems.AssertAsync(delete, HttpStatusCode.NotFound);
        Assert.Equal(0, await RowsAsync());
    }

    [Fact]
    public async Task Answers409_ForAConfigurationProvider_OnUpdateAndDelete()
    {
        var update = await _host.SendJsonAsync(HttpMethod.Put, Path + "/configured", _admin, Update(secret: NewSecret));
        var delete = await _host.SendAsync(HttpMethod.Delete, Path + "/configured", _admin);

        var problem = await Problems.AssertAsync(update, HttpStatusCode.Conflict);
        Assert.Contains("defined in configuration", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Problems.AssertAsync(delete, HttpStatusCode.Conflict);
        Assert.Equal(0, await RowsAsync());
        Assert.Equal(ConfigSecret, await SecretOfAsync("configured"));
    }

    [Fact]
    public async Task Deletes_AProvider_AndItsUsersLinks()
    {
        await CreateEntraAsync();
        await using (var scope = _host.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.AddLoginAsync((await users.FindByIdAsync(_host.AliceId))!, new UserLoginInfo("entra", "sub-1", "Contoso"))).Succeeded);
        }

        var response = await _host.SendAsync(HttpMethod.Delete, Path + "/entra", _admin);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, await RowsAsync());
        Assert.False(await _host.Factory.WithDbAsync(db => db.UserLogins.AnyAsync()));
        Assert.True(await _host.Factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == _host.AliceId)));
        await Problems.AssertAsync(await _host.SendAsync(HttpMethod.Get, Path + "/entra", _admin), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Refuses_ChangesWithoutSecurityManageSettings_AndReadsWithoutUsersRead()
    {
        await CreateEntraAsync();
        var reader = await _host.ClientTokenAsync("reader");
        var auditor = await _host.ClientTokenAsync("auditor");

        var create = await _host.SendJsonAsync(HttpMethod.Post, Path, reader, NewEntra(id: "other"));
        var update = await _host.SendJsonAsync(HttpMethod.Put, Path + "/entra", reader, Update(secret: NewSecret));
        var delete = await _host.SendAsync(HttpMethod.Delete, Path + "/entra", reader);
        var list = await _host.SendAsync(HttpMethod.Get, Path, auditor);

        foreach (var response in new[] { create, update, delete, list })
        {
            await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
        }

        Assert.Equal(["entra"], await _host.Factory.WithDbAsync(db => db.UpstreamProviders.Select(p => p.Id).ToListAsync()));
        Assert.Equal(Secret, await SecretOfAsync("entra"));
    }

    [Fact]
    public async Task Lets_AClientWithSecurityManageSettings_CreateOne()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, Path, await _host.ClientTokenAsync("policy"), NewEntra());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, await RowsAsync());
    }

    [Fact]
    public async Task Answers400_ForABodyThatIsNotJson()
    {
        var response = await _host.SendAsync(HttpMethod.Post, Path, _admin, new StringContent("{\"id\":", System.Text.Encoding.UTF8, "application/json"));

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await RowsAsync());
    }
}
