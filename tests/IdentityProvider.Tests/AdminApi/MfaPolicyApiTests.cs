using System.Net;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Policy;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteMfaPolicyApiTests : MfaPolicyApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());

    public static TheoryData<string, object, string> InvalidSettings => new()
    {
        { "negative grace", Valid() with { GraceSignIns = -1 }, "Grace sign-ins" },
        { "grace days over a year", Valid() with { GraceDays = 366 }, "Grace days" },
        { "roles scope without roles", Valid() with { EnforceFor = "roles", EnforcedRoles = [] }, "at least one role" },
        { "role with a space", Valid() with { EnforceFor = "roles", EnforcedRoles = ["two words"] }, "spaces" },
        { "unknown enforceFor", Valid() with { EnforceFor = "everyone" }, "'enforceFor' must be one of none, allUsers, roles" },
        { "enforceFor as a number", Valid() with { EnforceFor = "1" }, "'enforceFor' must be one of" },
        { "missing member", new { mfaEnabled = true, enforceFor = "none", enforcedRoles = Array.Empty<string>() }, "'graceSignIns' is required." },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task Rejects_WhenTheSettingsAreInvalid_AndSavesNothing(string _, object body, string expected)
    {
        var response = await Host.SendJsonAsync(HttpMethod.Put, Path, Policy, body);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(Problems.ListOf(problem), p => p.Contains(expected, StringComparison.Ordinal));
        Assert.Equal(0, await Host.Factory.WithDbAsync(db => db.MfaPolicySettings.CountAsync()));
        Assert.False(await Host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.MfaPolicyChanged)));
    }

    [Fact]
    public async Task Rejects_WhenTheBodyIsJsonNull()
    {
        var response = await Host.SendAsync(HttpMethod.Put, Path, Policy, new StringContent("null", System.Text.Encoding.UTF8, "application/json"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'mfaEnabled' is required.", Problems.ListOf(problem));
    }

    [Theory]
    [InlineData("{\"mfaEnabled\": tru")]
    [InlineData("{\"mfaEnabled\": true, \"graceSignIns\": \"three\"}")]
    public async Task Rejects_WhenTheBodyIsNotTheExpectedJson(string body)
    {
        var response = await Host.SendAsync(HttpMethod.Put, Path, Policy, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("Malformed body", problem.GetProperty("title").GetString());
        Assert.DoesNotContain("System.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Host.Factory.WithDbAsync(db => db.MfaPolicySettings.CountAsync()));
    }

    [Fact]
    public async Task Rejects_ABodyThatIsNotDeclaredAsJson()
    {
        var response = await Host.SendAsync(HttpMethod.Put, Path, Policy, new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"));

        Assert.Contains("application/json", (await Problems.AssertAsync(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_AJsonBodyWithAnUnknownCharset_AndSavesNothing()
    {
        // A fuzz finding: ReadFromJsonAsync threw on the unknown charset and the caller got a 500.
        var content = new StringContent("{}", System.Text.Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=bogus-42");

        var response = await Host.SendAsync(HttpMethod.Put, Path, Policy, content);

        Assert.Contains("charset", (await Problems.AssertAsync(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Host.Factory.WithDbAsync(db => db.MfaPolicySettings.CountAsync()));
    }

    [Fact]
    public async Task Requires_SecurityManageSettings_ToReadAndToChange()
    {
        var reader = await Host.ClientTokenAsync("reader");
        var alice = await Host.UserTokenAsync(Host.AliceId);

        foreach (var token in new[] { reader, alice })
        {
            var read = await Host.SendAsync(HttpMethod.Get, Path, token);
            var change = await Host.SendJsonAsync(HttpMethod.Put, Path, token, Valid());

            Assert.Contains("security.manage_settings", (await Problems.AssertAsync(read, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
            await Problems.AssertAsync(change, HttpStatusCode.Forbidden);
        }

        Assert.Equal(0, await Host.Factory.WithDbAsync(db => db.MfaPolicySettings.CountAsync()));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresMfaPolicyApiTests(PostgresCluster cluster) : MfaPolicyApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The global MFA settings through <c>/admin/api/mfa-policy</c>.</summary>
public abstract class MfaPolicyApiTests : IAsyncLifetime
{
    protected const string Path = "/admin/api/mfa-policy";

    protected AdminApiHost Host { get; private set; } = null!;

    /// <summary>A client token with security.manage_settings.</summary>
    protected string Policy { get; private set; } = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public record Settings(bool MfaEnabled, string EnforceFor, string[] EnforcedRoles, int GraceSignIns, int GraceDays, int RememberBrowserDays, bool EmailFallback);

    protected static Settings Valid() => new(true, "roles", ["finance"], 3, 14, 30, true);

    public async Task InitializeAsync()
    {
        Host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        Policy = await Host.ClientTokenAsync("policy");
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    [Fact]
    public async Task Reads_TheConfiguredSettings_BeforeAnyAreSaved()
    {
        var response = await Host.SendAsync(HttpMethod.Get, Path, Policy);
        var settings = await CodeFlow.JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(settings.GetProperty("mfaEnabled").GetBoolean());
        Assert.Equal("none", settings.GetProperty("enforceFor").GetString());
        Assert.Equal(0, settings.GetProperty("enforcedRoles").GetArrayLength());
    }

    [Fact]
    public async Task Saves_TheSettings_AsTheStoreReadsThem_AndAuditsTheCaller()
    {
        var response = await Host.SendJsonAsync(HttpMethod.Put, Path, Policy, Valid());
        var saved = await CodeFlow.JsonAsync(response);
        var read = await CodeFlow.JsonAsync(await Host.SendAsync(HttpMethod.Get, Path, Policy));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("roles", saved.GetProperty("enforceFor").GetString());
        Assert.Equal(saved.ToString(), read.ToString());
        await using var scope = Host.Factory.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<MfaSettingsStore>().GetAsync(CancellationToken.None);
        Assert.Equal(EnforcementScope.Roles, stored.EnforceFor);
        Assert.Equal(["finance"], stored.EnforcedRoles);
        Assert.Equal((3, 14, 30, true), (stored.GraceSignIns, stored.GraceDays, stored.RememberBrowserDays, stored.EmailFallback));
        Assert.True(await Host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(
            e => e.Action == AuditActions.MfaPolicyChanged && e.Actor == "client:policy")));
    }

    [Fact]
    public async Task Saves_AsAnAdministrator_UnderTheUsersId()
    {
        var admin = await Host.UserTokenAsync(Host.RootId);

        var response = await Host.SendJsonAsync(HttpMethod.Put, Path, admin, Valid() with { MfaEnabled = false, EnforceFor = "allUsers", EnforcedRoles = [] });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await CodeFlow.JsonAsync(response)).GetProperty("mfaEnabled").GetBoolean());
        Assert.True(await Host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(
            e => e.Action == AuditActions.MfaPolicyChanged && e.Actor == Host.RootId)));
    }
}
