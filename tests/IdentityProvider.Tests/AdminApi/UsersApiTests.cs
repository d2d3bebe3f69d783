using System.Net;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteUsersApiTests : UsersApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

/// <summary>The list's subqueries, case-insensitive search and sorts, in PostgreSQL's SQL too.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresUsersApiTests(PostgresCluster cluster) : UsersApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The users list, one user, disabling MFA and unlocking through <c>/admin/api/users</c>.</summary>
public abstract class UsersApiTests : IAsyncLifetime
{
    private AdminApiHost _host = null!;
    private string _reader = null!;
    private string _operator = null!;

    public async Task InitializeAsync()
    {
        _host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        _reader = await _host.ClientTokenAsync("reader");
        _operator = await _host.ClientTokenAsync("operator");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task Lists_TheUsersWithTheirMfaStatus_SortedByIt()
    {
        await EnrolAliceAsync();

        var descending = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, "/admin/api/users?sort=mfa&dir=desc", _reader));
        var ascending = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, "/admin/api/users?sort=mfa", _reader));

        var first = descending.GetProperty("users")[0];
        Assert.Equal(_host.AliceId, first.GetProperty("id").GetString());
        Assert.Equal("authenticatorApp", first.GetProperty("mfa").GetString());
        Assert.Equal(_host.RootId, ascending.GetProperty("users")[0].GetProperty("id").GetString());
        Assert.Equal("none", ascending.GetProperty("users")[0].GetProperty("mfa").GetString());
        Assert.Equal(2, ascending.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Searches_AndFilters()
    {
        await EnrolAliceAsync();

        var search = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, "/admin/api/users?search=ROOT", _reader));
        var none = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, "/admin/api/users?mfa=none", _reader));

        Assert.Equal([_host.RootId], search.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
        Assert.Equal([_host.RootId], none.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("sort=colour", "'sort' is one of")]
    [InlineData("dir=up", "'dir' is one of asc, desc.")]
    [InlineData("mfa=sms", "'mfa' is one of totp, passkeys, none.")]
    [InlineData("page=0", "'page' is a whole number from 1.")]
    public async Task Rejects_AQueryItCannotRead(string query, string problem)
    {
        var response = await _host.SendAsync(HttpMethod.Get, "/admin/api/users?" + query, _reader);

        Assert.Contains(Problems.ListOf(await Problems.AssertAsync(response, HttpStatusCode.BadRequest)), p => p.StartsWith(problem, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Requires_UsersRead()
    {
        var response = await _host.SendAsync(HttpMethod.Get, "/admin/api/users", await _host.ClientTokenAsync("unconfigured"));

        await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Gets_OneUser_Or404()
    {
        await EnrolAliceAsync();

        var alice = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, $"/admin/api/users/{_host.AliceId}", _reader));
        var unknown = await _host.SendAsync(HttpMethod.Get, "/admin/api/users/nobody", _reader);

        Assert.Equal("alice", alice.GetProperty("userName").GetString());
        Assert.Equal("authenticatorApp", alice.GetProperty("mfa").GetString());
        Assert.False(alice.GetProperty("locked").GetBoolean());
        await Problems.AssertAsync(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DisablesMfa_AndEmailsEveryAdministrator()
    {
        await EnrolAliceAsync();

        var response = await _host.SendAsync(HttpMethod.Delete, $"/admin/api/users/{_host.AliceId}/mfa", _operator);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(await _host.Factory.WithDbAsync(db => db.UserTotpSecrets.AnyAsync(s => s.UserId == _host.AliceId)));
        var mail = Assert.Single(await _host.Factory.WithDbAsync(db => db.EmailOutbox.ToListAsync()));
        Assert.Equal("root@example.com", mail.To);
        Assert.Contains("the API client operator", mail.TextBody, StringComparison.Ordinal);
        Assert.True(await _host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(
            e => e.Action == AuditActions.MfaDisabled && e.Actor == "client:operator" && e.TargetId == _host.AliceId)));
    }

    [Fact]
    public async Task Refuses_DisablingMfa_WithoutUsersManageFactors_AndChangesNothing()
    {
        await EnrolAliceAsync();

        var response = await _host.SendAsync(HttpMethod.Delete, $"/admin/api/users/{_host.AliceId}/mfa", _reader);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("users.manage_factors", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(await _host.Factory.WithDbAsync(db => db.UserTotpSecrets.AnyAsync(s => s.UserId == _host.AliceId)));
        Assert.Equal(0, await _host.Factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));
    }

    [Fact]
    public async Task Answers404_WhenThereIsNoMfaToDisable_AndNotifiesNobody()
    {
        var nothing = await _host.SendAsync(HttpMethod.Delete, $"/admin/api/users/{_host.AliceId}/mfa", _operator);
        var unknown = await _host.SendAsync(HttpMethod.Delete, "/admin/api/users/nobody/mfa", _operator);

        Assert.Equal("No authenticator app", (await Problems.AssertAsync(nothing, HttpStatusCode.NotFound)).GetProperty("title").GetString());
        Assert.Equal("Unknown user", (await Problems.AssertAsync(unknown, HttpStatusCode.NotFound)).GetProperty("title").GetString());
        Assert.Equal(0, await _host.Factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));
    }

    [Fact]
    public async Task Unlocks_AUser_Or404()
    {
        await _host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == _host.AliceId).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.LockoutEnd, DateTimeOffset.MaxValue).SetProperty(u => u.ConsecutiveFailedSignIns, 10)));

        var response = await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.AliceId}/unlock", _operator);
        var unknown = await _host.SendAsync(HttpMethod.Post, "/admin/api/users/nobody/unlock", _operator);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var alice = await _host.Factory.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == _host.AliceId));
        Assert.Null(alice.LockoutEnd);
        Assert.Equal(0, alice.ConsecutiveFailedSignIns);
        await Problems.AssertAsync(unknown, HttpStatusCode.NotFound);
    }

    private async Task EnrolAliceAsync()
    {
        await using var scope = _host.Factory.Services.CreateAsyncScope();
        var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
        var enrolment = await totp.BeginEnrolmentAsync(_host.AliceId, "alice@example.com", CancellationToken.None);
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        Assert.True(await totp.ActivateAsync(_host.AliceId,
            Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), time.GetUtcNow()),
            CancellationToken.None));
    }
}
