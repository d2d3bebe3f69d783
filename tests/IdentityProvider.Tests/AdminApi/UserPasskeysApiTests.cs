using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteUserPasskeysApiTests : UserPasskeysApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresUserPasskeysApiTests(PostgresCluster cluster) : UserPasskeysApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>Passkey administration through <c>/admin/api/users/{userId}/...</c>.</summary>
public abstract class UserPasskeysApiTests : IAsyncLifetime
{
    private AdminApiHost _host = null!;
    private string _operator = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    private string AliceApi => $"/admin/api/users/{_host.AliceId}";

    public async Task InitializeAsync()
    {
        _host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        _operator = await _host.ClientTokenAsync("operator");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> SeedPasskeyAsync(string userId)
    {
        await using var scope = _host.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var credentialId = RandomNumberGenerator.GetBytes(16);
        var passkey = new UserPasskeyInfo(
            credentialId, publicKey: RandomNumberGenerator.GetBytes(77), createdAt: DateTimeOffset.UtcNow, signCount: 0, transports: ["internal"],
            isUserVerified: true, isBackupEligible: true, isBackedUp: false, attestationObject: [], clientDataJson: []) { Name = "Laptop" };
        Assert.True((await users.AddOrUpdatePasskeyAsync((await users.FindByIdAsync(userId))!, passkey)).Succeeded);
        return Base64Url.EncodeToString(credentialId);
    }

    [Fact]
    public async Task Answers404_ForAnUnknownUser()
    {
        var response = await _host.SendAsync(HttpMethod.Get, "/admin/api/users/nobody/passkeys", _operator);
        var problem = await CodeFlow.JsonAsync(response);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Answers404_ForAnUnknownPasskey()
    {
        var response = await _host.SendAsync(HttpMethod.Delete, AliceApi + "/passkeys/" + Base64Url.EncodeToString(new byte[16]), _operator);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Answers404_WhenNoPasskeyRequestIsPending()
    {
        var response = await _host.SendAsync(HttpMethod.Delete, AliceApi + "/passkey-request", _operator);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("abc+def")]
    [InlineData("a%20b")]
    [InlineData("%C3%A9t%C3%A9")]
    [InlineData("a%2Fb")]
    public async Task Answers400_ForAPasskeyIdThatIsNotBase64Url(string passkeyId)
    {
        var response = await _host.SendAsync(HttpMethod.Delete, AliceApi + "/passkeys/" + passkeyId, _operator);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task RequestsAPasskey_ShowsIt_AndCancelsIt()
    {
        var requested = await _host.SendAsync(HttpMethod.Post, AliceApi + "/passkey-request", _operator);
        var request = await CodeFlow.JsonAsync(requested);
        var pending = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, AliceApi + "/passkeys", _operator));
        var cancelled = await _host.SendAsync(HttpMethod.Delete, AliceApi + "/passkey-request", _operator);
        var after = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, AliceApi + "/passkeys", _operator));

        Assert.Equal(HttpStatusCode.OK, requested.StatusCode);
        Assert.Equal("client:operator", request.GetProperty("requestedBy").GetString());
        Assert.Equal("client:operator", pending.GetProperty("passkeyRequest").GetProperty("requestedBy").GetString());
        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, after.GetProperty("passkeyRequest").ValueKind);
        Assert.Equal(2, await _host.Factory.WithDbAsync(db => db.AuditEvents.CountAsync(
            e => (e.Action == AuditActions.PasskeyRequested || e.Action == AuditActions.PasskeyRequestCancelled) && e.Actor == "client:operator")));
    }

    [Fact]
    public async Task ListsAndDeletesAPasskey_AsAnAdministrator_AndAuditsIt()
    {
        var passkeyId = await SeedPasskeyAsync(_host.AliceId);
        var admin = await _host.UserTokenAsync(_host.RootId);

        var listed = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, AliceApi + "/passkeys", admin));
        var deleted = await _host.SendAsync(HttpMethod.Delete, AliceApi + "/passkeys/" + passkeyId, admin);
        var again = await _host.SendAsync(HttpMethod.Delete, AliceApi + "/passkeys/" + passkeyId, admin);

        var passkey = Assert.Single(listed.GetProperty("passkeys").EnumerateArray());
        Assert.Equal(passkeyId, passkey.GetProperty("id").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, listed.GetProperty("passkeyRequest").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(0, await _host.Factory.WithDbAsync(db => db.Set<IdentityUserPasskey<string>>().CountAsync(p => p.UserId == _host.AliceId)));
        Assert.True(await _host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(
            e => e.Action == AuditActions.PasskeyRemoved && e.Actor == _host.RootId && e.TargetId == _host.AliceId)));
    }
}
