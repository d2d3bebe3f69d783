using System.Net;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteSecuritySettingsApiTests : SecuritySettingsApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSecuritySettingsApiTests(PostgresCluster cluster) : SecuritySettingsApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The lockout limits, TOTP window and recovery-code count through <c>/admin/api/security-settings</c>.</summary>
public abstract class SecuritySettingsApiTests : IAsyncLifetime
{
    private const string Path = "/admin/api/security-settings";

    private AdminApiHost _host = null!;

    /// <summary>A client token with security.manage_settings.</summary>
    private string _policy = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public record Settings(int MaxFailedPasswords, int MaxFailedCodes, int LockoutDurationMinutes, int TotpWindow, int RecoveryCodeCount);

    private static Settings Valid() => new(3, 4, 30, 0, 6);

    public async Task InitializeAsync()
    {
        _host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        _policy = await _host.ClientTokenAsync("policy");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<int> SavedRowsAsync() => _host.Factory.WithDbAsync(db => db.Set<SecuritySettingsEntity>().CountAsync());

    [Fact]
    public async Task Reads_TheConfiguredSettings_BeforeAnyAreSaved()
    {
        var settings = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, Path, _policy));

        Assert.Equal(5, settings.GetProperty("maxFailedPasswords").GetInt32());
        Assert.Equal(5, settings.GetProperty("maxFailedCodes").GetInt32());
        Assert.Equal(15, settings.GetProperty("lockoutDurationMinutes").GetInt32());
        Assert.Equal(1, settings.GetProperty("totpWindow").GetInt32());
        Assert.Equal(10, settings.GetProperty("recoveryCodeCount").GetInt32());
    }

    [Fact]
    public async Task Saves_TheSettings_AndAuditsOldAndNewValues()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Put, Path, _policy, Valid());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await CodeFlow.JsonAsync(response);
        Assert.Equal(30, answer.GetProperty("lockoutDurationMinutes").GetInt32());
        var read = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, Path, _policy));
        Assert.Equal((3, 4, 30, 0, 6), (read.GetProperty("maxFailedPasswords").GetInt32(), read.GetProperty("maxFailedCodes").GetInt32(),
            read.GetProperty("lockoutDurationMinutes").GetInt32(), read.GetProperty("totpWindow").GetInt32(), read.GetProperty("recoveryCodeCount").GetInt32()));
        var row = await _host.Factory.WithDbAsync(db => db.Set<SecuritySettingsEntity>().SingleAsync());
        Assert.Equal(1800, row.LockoutDurationSeconds);
        Assert.Equal("client:policy", row.UpdatedBy);
        var audit = await _host.Factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.SecuritySettingsChanged));
        Assert.Equal("client:policy", audit.Actor);
        Assert.Equal("max failed passwords: 5 → 3; max failed codes: 5 → 4; lockout duration: 00:15:00 → 00:30:00; totp window: 1 → 0; recovery codes: 10 → 6",
            audit.Details);
    }

    public static TheoryData<string, object, string, string> InvalidSettings => new()
    {
        { "two wrong passwords", Valid() with { MaxFailedPasswords = 2 }, "maxFailedPasswords", "between 3 and 100" },
        { "101 wrong codes", Valid() with { MaxFailedCodes = 101 }, "maxFailedCodes", "between 3 and 100" },
        { "a lock of no time", Valid() with { LockoutDurationMinutes = 0 }, "lockoutDurationMinutes", "between 1 minute and 24 hours" },
        { "a lock over a day", Valid() with { LockoutDurationMinutes = 1441 }, "lockoutDurationMinutes", "between 1 minute and 24 hours" },
        { "a window of three steps", Valid() with { TotpWindow = 3 }, "totpWindow", "between 0 and 2" },
        { "a negative window", Valid() with { TotpWindow = -1 }, "totpWindow", "between 0 and 2" },
        { "four recovery codes", Valid() with { RecoveryCodeCount = 4 }, "recoveryCodeCount", "between 5 and 20" },
        { "21 recovery codes", Valid() with { RecoveryCodeCount = 21 }, "recoveryCodeCount", "between 5 and 20" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task Rejects_AValueOutOfRange_NamingTheField_AndSavesNothing(string _, object body, string field, string expected)
    {
        var response = await _host.SendJsonAsync(HttpMethod.Put, Path, _policy, body);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains(expected, errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.Contains(Problems.ListOf(problem), p => p.Contains(expected, StringComparison.Ordinal));
        Assert.Equal(0, await SavedRowsAsync());
        Assert.False(await _host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.SecuritySettingsChanged)));
    }

    [Fact]
    public async Task Rejects_ABodyWithoutEveryMember()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Put, Path, _policy, new { maxFailedPasswords = 3, maxFailedCodes = 3 });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["'lockoutDurationMinutes' is required.", "'totpWindow' is required.", "'recoveryCodeCount' is required."], Problems.ListOf(problem));
        Assert.Equal(0, await SavedRowsAsync());
    }

    [Fact]
    public async Task Rejects_ABodyThatIsNotJson()
    {
        var response = await _host.SendAsync(HttpMethod.Put, Path, _policy, new StringContent("{\"totpWindow\": \"wide\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal("Malformed body", (await Problems.AssertAsync(response, HttpStatusCode.BadRequest)).GetProperty("title").GetString());
        Assert.Equal(0, await SavedRowsAsync());
    }

    [Fact]
    public async Task Requires_SecurityManageSettings_ToReadAndToChange()
    {
        var reader = await _host.ClientTokenAsync("reader");
        var alice = await _host.UserTokenAsync(_host.AliceId);

        foreach (var token in new[] { reader, alice })
        {
            var read = await _host.SendAsync(HttpMethod.Get, Path, token);
            var change = await _host.SendJsonAsync(HttpMethod.Put, Path, token, Valid());

            Assert.Contains("security.manage_settings", (await Problems.AssertAsync(read, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
            await Problems.AssertAsync(change, HttpStatusCode.Forbidden);
        }

        Assert.Equal(0, await SavedRowsAsync());
    }

    [Fact]
    public async Task Lets_AnAdministratorChangeThem_AndNamesThemInTheAudit()
    {
        var admin = await _host.UserTokenAsync(_host.RootId);

        var response = await _host.SendJsonAsync(HttpMethod.Put, Path, admin, Valid() with { RecoveryCodeCount = 12 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(await _host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(
            e => e.Action == AuditActions.SecuritySettingsChanged && e.Actor == _host.RootId)));
    }
}
