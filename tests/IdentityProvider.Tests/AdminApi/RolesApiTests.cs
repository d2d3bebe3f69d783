using System.Net;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteRolesApiTests : RolesApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRolesApiTests(PostgresCluster cluster) : RolesApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>Roles and who holds them through <c>/admin/api/roles</c> and <c>/admin/api/users/{id}/roles</c>.</summary>
public abstract class RolesApiTests : IAsyncLifetime
{
    private AdminApiHost _host = null!;

    /// <summary>A client token with users.read and security.manage_settings.</summary>
    private string _policy = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        _policy = await _host.ClientTokenAsync("policy");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<List<string>> RolesOfAsync(string userId) => _host.Factory.WithDbAsync(db =>
        db.UserRoles.Where(ur => ur.UserId == userId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).OrderBy(n => n).ToListAsync());

    private Task<List<string>> RoleNamesAsync() => _host.Factory.WithDbAsync(db => db.Roles.Select(r => r.Name!).OrderBy(n => n).ToListAsync());

    private async Task CreateRoleAsync(string name) =>
        Assert.Equal(HttpStatusCode.Created, (await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/roles", _policy, new { name })).StatusCode);

    [Fact]
    public async Task Lists_TheRoles_WithTheirMemberCounts()
    {
        var reader = await _host.ClientTokenAsync("reader");

        var roles = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, "/admin/api/roles", reader));

        var admin = Assert.Single(roles.EnumerateArray());
        Assert.Equal(Roles.Administrator, admin.GetProperty("name").GetString());
        Assert.Equal(1, admin.GetProperty("members").GetInt32());
    }

    [Fact]
    public async Task Creates_ARole_WithItsLocation_AndAuditsIt()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/roles", _policy, new { name = "finance" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/admin/api/roles/finance", response.Headers.Location!.OriginalString);
        var role = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, "/admin/api/roles/finance", _policy));
        Assert.Equal(0, role.GetProperty("members").GetInt32());
        Assert.True(await _host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.RoleCreated && e.TargetId == "finance")));
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("")]
    public async Task Rejects_AnUnusableRoleName_AndCreatesNothing(string name)
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/roles", _policy, new { name });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("without spaces", problem.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal([Roles.Administrator], await RoleNamesAsync());
    }

    [Fact]
    public async Task Rejects_ATakenRoleName_WithConflict()
    {
        await CreateRoleAsync("finance");

        var response = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/roles", _policy, new { name = "FINANCE" });

        await Problems.AssertAsync(response, HttpStatusCode.Conflict);
        Assert.Equal([Roles.Administrator, "finance"], await RoleNamesAsync());
    }

    [Fact]
    public async Task Deletes_ARoleWithoutMembers()
    {
        await CreateRoleAsync("finance");

        var response = await _host.SendAsync(HttpMethod.Delete, "/admin/api/roles/finance", _policy);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal([Roles.Administrator], await RoleNamesAsync());
        await Problems.AssertAsync(await _host.SendAsync(HttpMethod.Get, "/admin/api/roles/finance", _policy), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Refuses_DeletingTheAdministratorsRole_OrARoleWithMembers()
    {
        await CreateRoleAsync("finance");
        await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.AliceId}/roles", _policy, new { roles = new[] { "finance" } });

        var administrators = await _host.SendAsync(HttpMethod.Delete, "/admin/api/roles/admin", _policy);
        var withMembers = await _host.SendAsync(HttpMethod.Delete, "/admin/api/roles/finance", _policy);

        Assert.Equal("Role protected", (await Problems.AssertAsync(administrators, HttpStatusCode.Conflict)).GetProperty("title").GetString());
        Assert.Equal("Role has members", (await Problems.AssertAsync(withMembers, HttpStatusCode.Conflict)).GetProperty("title").GetString());
        Assert.Equal([Roles.Administrator, "finance"], await RoleNamesAsync());
    }

    [Fact]
    public async Task Answers404_ForAnUnknownRole()
    {
        await Problems.AssertAsync(await _host.SendAsync(HttpMethod.Get, "/admin/api/roles/nobody", _policy), HttpStatusCode.NotFound);
        await Problems.AssertAsync(await _host.SendAsync(HttpMethod.Delete, "/admin/api/roles/nobody", _policy), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Replaces_AUsersRoles_AndAuditsBeforeAndAfter()
    {
        await CreateRoleAsync("finance");
        await CreateRoleAsync("sales");

        var first = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.AliceId}/roles", _policy, new { roles = new[] { "finance", "Sales" } });
        var second = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.AliceId}/roles", _policy, new { roles = new[] { "sales" } });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(["finance", "sales"], (await CodeFlow.JsonAsync(first)).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(["sales"], await RolesOfAsync(_host.AliceId));
        var audits = await _host.Factory.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == AuditActions.UserRolesChanged).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(["roles: (none) → finance sales", "roles: finance sales → sales"], audits.Select(a => a.Details));
        Assert.All(audits, a => Assert.Equal(_host.AliceId, a.TargetId));
    }

    [Fact]
    public async Task Refuses_RemovingTheLastAdministrator_ButNotAnAdministratorWithAColleague()
    {
        var last = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.RootId}/roles", _policy, new { roles = Array.Empty<string>() });
        var rootStill = await RolesOfAsync(_host.RootId);
        await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.AliceId}/roles", _policy, new { roles = new[] { Roles.Administrator } });
        var withColleague = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.RootId}/roles", _policy, new { roles = Array.Empty<string>() });

        Assert.Equal("Last administrator", (await Problems.AssertAsync(last, HttpStatusCode.Conflict)).GetProperty("title").GetString());
        Assert.Equal([Roles.Administrator], rootStill);
        Assert.Equal(HttpStatusCode.OK, withColleague.StatusCode);
        Assert.Empty(await RolesOfAsync(_host.RootId));
        Assert.Equal([Roles.Administrator], await RolesOfAsync(_host.AliceId));
    }

    [Fact]
    public async Task KeepsOneAdministrator_WhenEveryAdministratorIsRemovedAtOnce()
    {
        List<string> administrators = [_host.RootId];
        await using (var scope = _host.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            for (var i = 0; i < 7; i++)
            {
                var user = new ApplicationUser { UserName = $"admin{i}", Email = $"admin{i}@example.com", CreatedAt = DateTimeOffset.UtcNow };
                Assert.True((await users.CreateAsync(user)).Succeeded);
                Assert.True((await users.AddToRoleAsync(user, Roles.Administrator)).Succeeded);
                administrators.Add(user.Id);
            }
        }

        var responses = await Task.WhenAll(administrators.Select(id =>
            _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{id}/roles", _policy, new { roles = Array.Empty<string>() })));

        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await _host.Factory.WithDbAsync(db => db.UserRoles.CountAsync()));
    }

    [Fact]
    public async Task Refuses_RemovingTheLastEnabledAdministrator_WhenTheOtherIsDisabled()
    {
        await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.AliceId}/roles", _policy, new { roles = new[] { Roles.Administrator } });
        await _host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == _host.AliceId).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisabledAt, DateTimeOffset.UtcNow)));

        var response = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.RootId}/roles", _policy, new { roles = Array.Empty<string>() });

        await Problems.AssertAsync(response, HttpStatusCode.Conflict);
        Assert.Equal([Roles.Administrator], await RolesOfAsync(_host.RootId));
    }

    [Fact]
    public async Task Rejects_UnknownRoles_OrAMissingList_AndChangesNothing()
    {
        await CreateRoleAsync("finance");

        var unknown = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.AliceId}/roles", _policy, new { roles = new[] { "finance", "ghosts" } });
        var missing = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.AliceId}/roles", _policy, new { });

        var problem = await Problems.AssertAsync(unknown, HttpStatusCode.BadRequest);
        Assert.Equal(["There is no role named 'ghosts'."], problem.GetProperty("errors").GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["'roles' is required."], Problems.ListOf(await Problems.AssertAsync(missing, HttpStatusCode.BadRequest)));
        Assert.Empty(await RolesOfAsync(_host.AliceId));
    }

    [Fact]
    public async Task Answers404_ForAnUnknownUser()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Put, "/admin/api/users/nobody/roles", _policy, new { roles = new[] { Roles.Administrator } });

        Assert.Contains("nobody", (await Problems.AssertAsync(response, HttpStatusCode.NotFound)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requires_SecurityManageSettings_ToChange_AndUsersRead_ToList()
    {
        await CreateRoleAsync("finance");
        var reader = await _host.ClientTokenAsync("reader");
        var unconfigured = await _host.ClientTokenAsync("unconfigured");

        var create = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/roles", reader, new { name = "sales" });
        var delete = await _host.SendAsync(HttpMethod.Delete, "/admin/api/roles/finance", reader);
        var assign = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.AliceId}/roles", reader, new { roles = new[] { Roles.Administrator } });
        var list = await _host.SendAsync(HttpMethod.Get, "/admin/api/roles", unconfigured);

        foreach (var response in new[] { create, delete, assign })
        {
            Assert.Contains("security.manage_settings", (await Problems.AssertAsync(response, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains("users.read", (await Problems.AssertAsync(list, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal([Roles.Administrator, "finance"], await RoleNamesAsync());
        Assert.Empty(await RolesOfAsync(_host.AliceId));
    }
}
