using System.Net;
using System.Text.Json;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteAuditApiTests : AuditApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());

    [Theory]
    [InlineData("from=yesterday", "'from'")]
    [InlineData("to=2026-13-01", "'to'")]
    [InlineData("from=2026-11-22T10:00:00Z&to=2026-11-22T10:00:00Z", "earlier")]
    [InlineData("outcome=1", "'outcome'")]
    [InlineData("outcome=success,failure", "'outcome'")]
    [InlineData("page=0", "'page'")]
    public async Task Rejects_AFilterItCannotRead(string query, string detail)
    {
        var list = await Problems.AssertAsync(await Host.SendAsync(HttpMethod.Get, "/admin/api/audit?" + query, Auditor), HttpStatusCode.BadRequest);

        Assert.Equal("Invalid audit filter", list.GetProperty("title").GetString());
        Assert.Contains(detail, list.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_AnExportWithABadDate()
    {
        var problem = await Problems.AssertAsync(await Host.SendAsync(HttpMethod.Get, "/admin/api/audit.csv?to=tomorrow", Auditor), HttpStatusCode.BadRequest);

        Assert.Contains("'to'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requires_AuditRead()
    {
        var reader = await Host.ClientTokenAsync("reader");
        var alice = await Host.UserTokenAsync(Host.AliceId);

        foreach (var token in new[] { reader, alice })
        {
            foreach (var path in new[] { "/admin/api/audit", "/admin/api/audit.csv" })
            {
                var problem = await Problems.AssertAsync(await Host.SendAsync(HttpMethod.Get, path, token), HttpStatusCode.Forbidden);
                Assert.Contains("audit.read", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresAuditApiTests(PostgresCluster cluster) : AuditApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The audit trail through <c>/admin/api/audit</c> and <c>/admin/api/audit.csv</c>, on both databases.</summary>
public abstract class AuditApiTests : IAsyncLifetime
{
    protected AdminApiHost Host { get; private set; } = null!;

    /// <summary>A client token with audit.read only.</summary>
    protected string Auditor { get; private set; } = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        Host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        Auditor = await Host.ClientTokenAsync("auditor");
        // Real events: an operator asks Alice for a passkey and withdraws the request, through the API.
        var operatorToken = await Host.ClientTokenAsync("operator");
        Assert.Equal(HttpStatusCode.OK, (await Host.SendAsync(HttpMethod.Post, $"/admin/api/users/{Host.AliceId}/passkey-request", operatorToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Host.SendAsync(HttpMethod.Delete, $"/admin/api/users/{Host.AliceId}/passkey-request", operatorToken)).StatusCode);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    private async Task<JsonElement> ListAsync(string query)
    {
        var response = await Host.SendAsync(HttpMethod.Get, "/admin/api/audit?" + query, Auditor);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await CodeFlow.JsonAsync(response);
    }

    private static List<string?> Actions(JsonElement page) =>
        [.. page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("action").GetString())];

    [Fact]
    public async Task Lists_TheUsersEvents_NewestFirst_WithActorAndTarget()
    {
        var page = await ListAsync($"user={Host.AliceId}");

        Assert.Equal([AuditActions.PasskeyRequestCancelled, AuditActions.PasskeyRequested], Actions(page));
        var requested = page.GetProperty("events")[1];
        Assert.Equal("success", requested.GetProperty("outcome").GetString());
        Assert.Equal(Host.AliceId, requested.GetProperty("targetId").GetString());
        Assert.Equal("alice", requested.GetProperty("targetName").GetString());
        Assert.Contains("operator", requested.GetProperty("actor").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, page.GetProperty("page").GetInt32());
        Assert.False(page.GetProperty("hasMore").GetBoolean());
    }

    [Fact]
    public async Task Filters_ByActionAndTime()
    {
        var now = DateTimeOffset.UtcNow;

        var exact = await ListAsync($"user={Host.AliceId}&action={AuditActions.PasskeyRequested}");
        var prefix = await ListAsync($"user={Host.AliceId}&action=passkey.");
        var other = await ListAsync($"user={Host.AliceId}&action=sign_in.");
        var recent = await ListAsync($"user={Host.AliceId}&from={now.AddHours(-1).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
        var past = await ListAsync($"user={Host.AliceId}&to=2000-01-01");

        Assert.Equal([AuditActions.PasskeyRequested], Actions(exact));
        Assert.Equal(2, Actions(prefix).Count);
        Assert.Empty(Actions(other));
        Assert.Equal(2, Actions(recent).Count);
        Assert.Empty(Actions(past));
    }

    [Fact]
    public async Task Exports_TheSameFilter_AsCsv()
    {
        var response = await Host.SendAsync(HttpMethod.Get, $"/admin/api/audit.csv?user={Host.AliceId}&action=passkey.", Auditor);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("time,actor,action,outcome,target_type,target_id,ip_address,user_agent,details", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains($",{AuditActions.PasskeyRequestCancelled},success,", lines[1], StringComparison.Ordinal);
        Assert.Contains($",{AuditActions.PasskeyRequested},success,", lines[2], StringComparison.Ordinal);
    }
}
