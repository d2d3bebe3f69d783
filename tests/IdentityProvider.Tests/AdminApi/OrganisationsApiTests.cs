using System.Net;
using System.Text.Json;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Policy;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteOrganisationsApiTests : OrganisationsApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());

    [Fact]
    public async Task Rejects_WhenTheNameExists_With409()
    {
        await CreateAsync("Acme", requireMfa: false);

        var response = await Host.SendJsonAsync(HttpMethod.Post, Path, Policy, new { name = "  Acme ", requireMfa = true });

        await Problems.AssertAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(1, await Host.Factory.WithDbAsync(db => db.Organisations.CountAsync()));
    }

    public static TheoryData<string, string> InvalidNames => new()
    {
        { "empty", "{\"name\":\"\"}" },
        { "blank", "{\"name\":\"   \"}" },
        { "missing", "{\"requireMfa\":true}" },
        { "too long", "{\"name\":\"" + new string('a', 201) + "\"}" },
        { "null body", "null" },
        { "not JSON", "{\"name\": " },
        { "name not a string", "{\"name\": 42}" },
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task Rejects_WhenTheNameIsUnusable_With400(string _, string body)
    {
        var response = await Host.SendAsync(HttpMethod.Post, Path, Policy, Json(body));

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await Host.Factory.WithDbAsync(db => db.Organisations.CountAsync()));
    }

    [Fact]
    public async Task Answers404_ForAnUnknownOrganisation()
    {
        await Problems.AssertAsync(await Host.SendAsync(HttpMethod.Get, Path + "/nope", Policy), HttpStatusCode.NotFound);
        await Problems.AssertAsync(await Host.SendAsync(HttpMethod.Delete, Path + "/nope", Policy), HttpStatusCode.NotFound);
        await Problems.AssertAsync(await Host.SendJsonAsync(HttpMethod.Put, Path + "/nope/require-mfa", Policy, new { requireMfa = true }), HttpStatusCode.NotFound);
        var membership = await Host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{Host.AliceId}/organisation", Policy, new { organisationId = "nope" });
        Assert.Contains("organisation", (await Problems.AssertAsync(membership, HttpStatusCode.NotFound)).GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers404_ForAnUnknownUser()
    {
        var acme = await CreateAsync("Acme", requireMfa: false);

        var response = await Host.SendJsonAsync(HttpMethod.Put, "/admin/api/users/nobody/organisation", Policy, new { organisationId = acme });

        Assert.Equal("Unknown user", (await Problems.AssertAsync(response, HttpStatusCode.NotFound)).GetProperty("title").GetString());
        Assert.Equal(0, await Host.Factory.WithDbAsync(db => db.OrganisationMembers.CountAsync()));
    }

    [Fact]
    public async Task Rejects_ARequireMfaChange_WithoutTheValue()
    {
        var acme = await CreateAsync("Acme", requireMfa: false);

        var response = await Host.SendAsync(HttpMethod.Put, $"{Path}/{acme}/require-mfa", Policy, Json("{}"));

        Assert.Contains("'requireMfa' is required.", Problems.ListOf(await Problems.AssertAsync(response, HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task Requires_SecurityManageSettings_ToChange_AndUsersRead_ToRead()
    {
        var acme = await CreateAsync("Acme", requireMfa: false);
        var reader = await Host.ClientTokenAsync("reader");
        var alice = await Host.UserTokenAsync(Host.AliceId);

        Assert.Equal(HttpStatusCode.OK, (await Host.SendAsync(HttpMethod.Get, Path, reader)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Host.SendAsync(HttpMethod.Get, $"{Path}/{acme}", reader)).StatusCode);
        foreach (var change in new Func<Task<HttpResponseMessage>>[]
        {
            () => Host.SendJsonAsync(HttpMethod.Post, Path, reader, new { name = "Other" }),
            () => Host.SendAsync(HttpMethod.Delete, $"{Path}/{acme}", reader),
            () => Host.SendJsonAsync(HttpMethod.Put, $"{Path}/{acme}/require-mfa", reader, new { requireMfa = true }),
            () => Host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{Host.AliceId}/organisation", reader, new { organisationId = acme }),
        })
        {
            var problem = await Problems.AssertAsync(await change(), HttpStatusCode.Forbidden);
            Assert.Contains("security.manage_settings", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        await Problems.AssertAsync(await Host.SendAsync(HttpMethod.Get, Path, alice), HttpStatusCode.Forbidden);
        await Problems.AssertAsync(await Host.SendAsync(HttpMethod.Get, $"{Path}/{acme}", alice), HttpStatusCode.Forbidden);
        await Problems.AssertAsync(await Host.SendJsonAsync(HttpMethod.Put, $"{Path}/{acme}/require-mfa", alice, new { requireMfa = true }), HttpStatusCode.Forbidden);
        var organisation = await FindAsync(acme);
        Assert.False(organisation!.RequireMfa);
        Assert.Equal(0, organisation.Members);
        Assert.Equal(1, await Host.Factory.WithDbAsync(db => db.Organisations.CountAsync()));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOrganisationsApiTests(PostgresCluster cluster) : OrganisationsApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>Organisations and memberships through <c>/admin/api/organisations</c> and <c>/admin/api/users/{userId}/organisation</c>.</summary>
public abstract class OrganisationsApiTests : IAsyncLifetime
{
    protected const string Path = "/admin/api/organisations";

    protected AdminApiHost Host { get; private set; } = null!;

    /// <summary>A client token with users.read and security.manage_settings.</summary>
    protected string Policy { get; private set; } = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        Host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        Policy = await Host.ClientTokenAsync("policy");
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    protected static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <returns>The new organisation's id.</returns>
    protected async Task<string> CreateAsync(string name, bool requireMfa)
    {
        var response = await Host.SendJsonAsync(HttpMethod.Post, Path, Policy, new { name, requireMfa });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await CodeFlow.JsonAsync(response)).GetProperty("id").GetString()!;
    }

    protected async Task<OrganisationSummary?> FindAsync(string id)
    {
        await using var scope = Host.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OrganisationDirectory>().FindAsync(id, CancellationToken.None);
    }

    private Task<bool> AuditedAsync(string action, string targetId) =>
        Host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == action && e.Actor == "client:policy" && e.TargetId == targetId));

    [Fact]
    public async Task Creates_Lists_Reads_AndDeletes_AnOrganisation()
    {
        var created = await Host.SendJsonAsync(HttpMethod.Post, Path, Policy, new { name = " Acme ", requireMfa = true });
        var body = await CodeFlow.JsonAsync(created);
        var id = body.GetProperty("id").GetString()!;
        var listed = await CodeFlow.JsonAsync(await Host.SendAsync(HttpMethod.Get, Path, Policy));
        var read = await Host.SendAsync(HttpMethod.Get, created.Headers.Location!.ToString(), Policy);
        var deleted = await Host.SendAsync(HttpMethod.Delete, $"{Path}/{id}", Policy);
        var gone = await Host.SendAsync(HttpMethod.Get, $"{Path}/{id}", Policy);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"{Path}/{id}", created.Headers.Location!.ToString());
        Assert.Equal("Acme", body.GetProperty("name").GetString());
        Assert.True(body.GetProperty("requireMfa").GetBoolean());
        Assert.Equal(id, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(0, (await CodeFlow.JsonAsync(read)).GetProperty("members").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Null(await FindAsync(id));
        Assert.True(await AuditedAsync(AuditActions.OrganisationCreated, id));
        Assert.True(await AuditedAsync(AuditActions.OrganisationDeleted, id));
    }

    [Fact]
    public async Task TurnsRequireMfa_OnAndOff()
    {
        var acme = await CreateAsync("Acme", requireMfa: false);

        var on = await Host.SendJsonAsync(HttpMethod.Put, $"{Path}/{acme}/require-mfa", Policy, new { requireMfa = true });
        var afterOn = await FindAsync(acme);
        var off = await Host.SendJsonAsync(HttpMethod.Put, $"{Path}/{acme}/require-mfa", Policy, new { requireMfa = false });

        Assert.Equal(HttpStatusCode.NoContent, on.StatusCode);
        Assert.True(afterOn!.RequireMfa);
        Assert.Equal(HttpStatusCode.NoContent, off.StatusCode);
        Assert.False((await FindAsync(acme))!.RequireMfa);
        Assert.Equal(2, await Host.Factory.WithDbAsync(db => db.AuditEvents.CountAsync(
            e => e.Action == AuditActions.OrganisationMfaChanged && e.Actor == "client:policy" && e.TargetId == acme)));
    }

    [Fact]
    public async Task PutsAUserInAnOrganisation_MovesThem_AndTakesThemOut()
    {
        var acme = await CreateAsync("Acme", requireMfa: false);
        var globex = await CreateAsync("Globex", requireMfa: false);
        var membership = $"/admin/api/users/{Host.AliceId}/organisation";

        var joined = await Host.SendJsonAsync(HttpMethod.Put, membership, Policy, new { organisationId = acme });
        var moved = await Host.SendJsonAsync(HttpMethod.Put, membership, Policy, new { organisationId = globex });
        var inGlobex = await CodeFlow.JsonAsync(await Host.SendAsync(HttpMethod.Get, $"{Path}/{globex}", Policy));
        var left = await Host.SendJsonAsync(HttpMethod.Put, membership, Policy, new { organisationId = (string?)null });

        Assert.Equal(HttpStatusCode.NoContent, joined.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, moved.StatusCode);
        Assert.Equal(1, inGlobex.GetProperty("members").GetInt32());
        Assert.Equal(0, (await FindAsync(acme))!.Members);
        Assert.Equal(HttpStatusCode.NoContent, left.StatusCode);
        Assert.Equal(0, await Host.Factory.WithDbAsync(db => db.OrganisationMembers.CountAsync(m => m.UserId == Host.AliceId)));
        Assert.Equal(3, await Host.Factory.WithDbAsync(db => db.AuditEvents.CountAsync(
            e => e.Action == AuditActions.OrganisationMembershipChanged && e.Actor == "client:policy" && e.TargetId == Host.AliceId)));
    }
}
