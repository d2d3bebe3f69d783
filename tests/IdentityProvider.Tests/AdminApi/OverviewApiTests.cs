using System.Globalization;
using System.Net;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteOverviewApiTests : OverviewApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOverviewApiTests(PostgresCluster cluster) : OverviewApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The console overview's figures through <c>GET /admin/api/overview</c>.</summary>
public abstract class OverviewApiTests : IAsyncLifetime
{
    private const string Path = "/admin/api/overview";

    private AdminApiHost _host = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync() => _host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Counts_UsersByFactor_MembersByOrganisation_AndSignInsByMethod()
    {
        var now = _host.Factory.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await _host.Factory.WithDbAsync(async db =>
        {
            db.Organisations.Add(new Organisation { Id = "org-acme", Name = "Acme", CreatedAt = now });
            db.OrganisationMembers.Add(new OrganisationMember { OrganisationId = "org-acme", UserId = _host.AliceId });
            db.UserTotpSecrets.Add(new UserTotpSecret { UserId = _host.AliceId, ProtectedSecret = "x", ActivatedAt = now });
            // Today: one passkey sign-in, two with a password and a code, one with a password alone.
            foreach (var amr in new[] { "amr: hwk user", "amr: pwd otp mfa", "amr: pwd otp mfa", "amr: pwd" })
            {
                db.AuditEvents.Add(new AuditEvent { Actor = _host.AliceId, Action = AuditActions.SignInSucceeded, OccurredAt = now, Details = amr });
            }

            return await db.SaveChangesAsync();
        });
        var users = await _host.Factory.WithDbAsync(db => db.Users.CountAsync());
        var reader = await _host.ClientTokenAsync("reader");

        var response = await _host.SendAsync(HttpMethod.Get, Path, reader);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var overview = await CodeFlow.JsonAsync(response);
        var counts = overview.GetProperty("users");
        Assert.Equal((users, 1, 0, users - 1), (counts.GetProperty("users").GetInt32(), counts.GetProperty("withAuthenticatorApp").GetInt32(),
            counts.GetProperty("withPasskeys").GetInt32(), counts.GetProperty("withoutSecondFactor").GetInt32()));
        var acme = Assert.Single(overview.GetProperty("organisations").EnumerateArray());
        Assert.Equal(("org-acme", "Acme", 1, 1), (acme.GetProperty("id").GetString(), acme.GetProperty("name").GetString(),
            acme.GetProperty("members").GetInt32(), acme.GetProperty("withSecondFactor").GetInt32()));
        var days = overview.GetProperty("signIns").EnumerateArray().ToList();
        Assert.Equal(30, overview.GetProperty("days").GetInt32());
        Assert.Equal(30, days.Count);
        var today = days[^1];
        Assert.Equal(now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), today.GetProperty("day").GetString());
        Assert.Equal((1, 2, 1, 4), (today.GetProperty("passkey").GetInt32(), today.GetProperty("passwordAndCode").GetInt32(),
            today.GetProperty("passwordOnly").GetInt32(), today.GetProperty("total").GetInt32()));
        Assert.All(days[..^1], d => Assert.Equal(0, d.GetProperty("total").GetInt32()));
    }

    [Fact]
    public async Task Requires_UsersRead()
    {
        // audit.read only: no users.read.
        var auditor = await _host.ClientTokenAsync("auditor");

        var problem = await Problems.AssertAsync(await _host.SendAsync(HttpMethod.Get, Path, auditor), HttpStatusCode.Forbidden);

        Assert.Contains("users.read", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
