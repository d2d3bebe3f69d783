using System.Net;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteUserMfaRequirementApiTests : UserMfaRequirementApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());

    [Fact]
    public async Task Answers404_ForAnUnknownUser()
    {
        var response = await Host.SendJsonAsync(HttpMethod.Put, "/admin/api/users/nobody/mfa-required", Operator, new { required = true });

        await Problems.AssertAsync(response, HttpStatusCode.NotFound);
        Assert.False(await Host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.UserMfaRequired)));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"required\":null}")]
    [InlineData("null")]
    public async Task Rejects_WhenTheValueIsMissing(string body)
    {
        var response = await Host.SendAsync(HttpMethod.Put, AlicePath, Operator, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Contains("'required' is required.", Problems.ListOf(await Problems.AssertAsync(response, HttpStatusCode.BadRequest)));
        Assert.False(await Host.Factory.WithDbAsync(db => db.Users.AnyAsync(u => u.MfaRequired)));
    }

    [Fact]
    public async Task Requires_UsersManageFactors()
    {
        var reader = await Host.ClientTokenAsync("reader");
        var alice = await Host.UserTokenAsync(Host.AliceId);

        foreach (var token in new[] { reader, alice })
        {
            var problem = await Problems.AssertAsync(await Host.SendJsonAsync(HttpMethod.Put, AlicePath, token, new { required = true }), HttpStatusCode.Forbidden);
            Assert.Contains("users.manage_factors", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.False(await Host.Factory.WithDbAsync(db => db.Users.AnyAsync(u => u.MfaRequired)));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresUserMfaRequirementApiTests(PostgresCluster cluster) : UserMfaRequirementApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The per-user "MFA required" flag through <c>/admin/api/users/{userId}/mfa-required</c>.</summary>
public abstract class UserMfaRequirementApiTests : IAsyncLifetime
{
    protected AdminApiHost Host { get; private set; } = null!;

    /// <summary>A client token with users.manage_factors.</summary>
    protected string Operator { get; private set; } = null!;

    protected string AlicePath => $"/admin/api/users/{Host.AliceId}/mfa-required";

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        Host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        Operator = await Host.ClientTokenAsync("operator");
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    [Fact]
    public async Task SetsAndClears_TheFlag_AndAuditsBoth()
    {
        var set = await Host.SendJsonAsync(HttpMethod.Put, AlicePath, Operator, new { required = true });
        var afterSet = await Host.Factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == Host.AliceId));
        var cleared = await Host.SendJsonAsync(HttpMethod.Put, AlicePath, Operator, new { required = false });
        var afterClear = await Host.Factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == Host.AliceId));

        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        Assert.True(afterSet.MfaRequired);
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.False(afterClear.MfaRequired);
        Assert.True(await Host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(
            e => e.Action == AuditActions.UserMfaRequired && e.Actor == "client:operator" && e.TargetId == Host.AliceId)));
        Assert.True(await Host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(
            e => e.Action == AuditActions.UserMfaNotRequired && e.Actor == "client:operator" && e.TargetId == Host.AliceId)));
    }
}
