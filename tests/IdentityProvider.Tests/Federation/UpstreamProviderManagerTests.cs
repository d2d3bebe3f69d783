using IdentityProvider.Federation;
using IdentityProvider.Federation.Providers;
using IdentityProvider.Policy;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Federation;

public sealed class SqliteUpstreamProviderManagerTests : UpstreamProviderManagerTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresUpstreamProviderManagerTests(PostgresCluster cluster) : UpstreamProviderManagerTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>Providers operators add: validated, unique with configuration, secret encrypted at rest, audited without it.</summary>
public abstract class UpstreamProviderManagerTests : IAsyncLifetime
{
    private const string Secret = "upstream-client-secret-Zq81";
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database, settings: new Dictionary<string, string>
        {
            ["Federation:Providers:0:Id"] = "configured",
            ["Federation:Providers:0:DisplayName"] = "Configured IdP",
            ["Federation:Providers:0:Issuer"] = "https://login.configured.example",
            ["Federation:Providers:0:ClientId"] = "idp",
            ["Federation:Providers:0:ClientSecret"] = "from-config",
            ["Federation:Providers:0:MfaRule"] = "trust-upstream-amr",
        });
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private static UpstreamProvider Valid(string id = "entra") => new(
        id, "Contoso Entra ID", "https://login.contoso.example/tenant/v2.0", "our-client", UpstreamClientAuthentication.ClientSecretPost,
        ["openid", "email", "profile"], new UpstreamClaimMapping(Groups: "groups"), FederatedMfaRule.RequireLocal,
        ProvisionUsers: false, LinkByEmail: true, ["contoso.example"], Enabled: true);

    [Fact]
    public async Task Creates_AProvider_WithTheSecretEncryptedAtRest_AndAuditsItWithoutTheSecret()
    {
        var change = await ManageAsync(m => m.CreateAsync(Valid(), Secret, "admin-1", CancellationToken.None));

        Assert.True(change.Succeeded, string.Join(" ", change.Problems));
        var row = await _factory.WithDbAsync(db => db.UpstreamProviders.SingleAsync());
        Assert.NotNull(row.ProtectedClientSecret);
        Assert.DoesNotContain(Secret, row.ProtectedClientSecret, StringComparison.Ordinal);
        var audit = await _factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == "federation.provider_created"));
        Assert.Equal(("admin-1", "entra"), (audit.Actor, audit.TargetId));
        Assert.DoesNotContain(Secret, audit.Details, StringComparison.Ordinal);

        await using var scope = _factory.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<IUpstreamProviderDirectory>();
        Assert.Equal(Secret, await directory.GetClientSecretAsync("entra", CancellationToken.None));
        Assert.Equal("from-config", await directory.GetClientSecretAsync("configured", CancellationToken.None));
        var stored = await directory.FindAsync("entra", CancellationToken.None);
        Assert.Equal(Valid() with { Scopes = stored!.Scopes, Domains = stored.Domains }, stored);
        Assert.Equal(["openid", "email", "profile"], stored.Scopes);
        Assert.Equal(["configured", "entra"], (await directory.ListAsync(CancellationToken.None)).Select(p => p.Id));
        Assert.Equal(FederatedMfaRule.TrustUpstreamAmr, (await directory.FindAsync("configured", CancellationToken.None))!.MfaRule);
    }

    [Theory]
    [InlineData("Entra", "Id must be 1 to 40 characters")]
    [InlineData("a_b", "Id must be 1 to 40 characters")]
    [InlineData("this-id-is-much-too-long-for-a-provider-id", "Id must be 1 to 40 characters")]
    [InlineData("configured", "Id 'configured' is already used")]
    public async Task Refuses_AnIdThatIsMalformedOrTaken(string id, string problem)
    {
        var change = await ManageAsync(m => m.CreateAsync(Valid(id), Secret, "admin-1", CancellationToken.None));

        Assert.Equal(UpstreamProviderChangeStatus.Invalid, change.Status);
        Assert.Contains(change.Problems, p => p.StartsWith(problem, StringComparison.Ordinal));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UpstreamProviders.CountAsync()));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action.StartsWith("federation."))));
    }

    [Fact]
    public async Task Refuses_ASecondProviderWithTheSameId()
    {
        Assert.True((await ManageAsync(m => m.CreateAsync(Valid(), Secret, "admin-1", CancellationToken.None))).Succeeded);

        var again = await ManageAsync(m => m.CreateAsync(Valid(), Secret, "admin-1", CancellationToken.None));

        Assert.Contains("Id 'entra' is already used by another upstream provider.", again.Problems);
    }

    [Theory]
    [InlineData("http://login.contoso.example", false)]
    [InlineData("https://login.contoso.example/?tenant=1", false)]
    [InlineData("login.contoso.example", false)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://127.0.0.1:8080/realms/x", true)]
    public async Task AcceptsHttpsIssuers_AndPlainHttpOnlyOnLoopback(string issuer, bool accepted)
    {
        var change = await ManageAsync(m => m.CreateAsync(Valid() with { Issuer = issuer }, Secret, "admin-1", CancellationToken.None));

        Assert.Equal(accepted, change.Succeeded);
        Assert.Equal(accepted, !change.Problems.Any(p => p.StartsWith("Issuer must be an absolute https URL", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Refuses_ScopesWithoutOpenid_AndASecretMethodWithoutSecret()
    {
        var change = await ManageAsync(m => m.CreateAsync(Valid() with { Scopes = ["email", "profile"] }, null, "admin-1", CancellationToken.None));

        Assert.Contains("Scopes must include openid.", change.Problems);
        Assert.Contains(change.Problems, p => p.StartsWith("ClientSecret is required for client_secret_post", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Updates_KeepingTheSecretUnlessReplaced_AndRemoves_WithAudit()
    {
        await ManageAsync(m => m.CreateAsync(Valid(), Secret, "admin-1", CancellationToken.None));

        var renamed = await ManageAsync(m => m.UpdateAsync(Valid() with { DisplayName = "Contoso", Enabled = false }, null, "admin-2", CancellationToken.None));
        var secretKept = await SecretAsync("entra");
        var replaced = await ManageAsync(m => m.UpdateAsync(Valid(), "a-new-secret", "admin-2", CancellationToken.None));
        var removed = await ManageAsync(m => m.RemoveAsync("entra", "admin-3", CancellationToken.None));
        var removedAgain = await ManageAsync(m => m.RemoveAsync("entra", "admin-3", CancellationToken.None));

        Assert.True(renamed.Succeeded && replaced.Succeeded && removed.Succeeded);
        Assert.Equal(Secret, secretKept);
        Assert.Equal(UpstreamProviderChangeStatus.NotFound, removedAgain.Status);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UpstreamProviders.CountAsync()));
        var actions = await _factory.WithDbAsync(db => db.AuditEvents.Where(e => e.Action.StartsWith("federation.")).OrderBy(e => e.Id)
            .Select(e => new { e.Action, e.Actor, e.Details }).ToListAsync());
        Assert.Equal(["federation.provider_created", "federation.provider_updated", "federation.provider_updated", "federation.provider_removed"], actions.Select(a => a.Action));
        Assert.All(actions, a => Assert.False((a.Details ?? "").Contains(Secret, StringComparison.Ordinal) || (a.Details ?? "").Contains("a-new-secret", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task LeavesConfigurationProvidersAlone()
    {
        var configured = Valid("configured");

        var updated = await ManageAsync(m => m.UpdateAsync(configured, Secret, "admin-1", CancellationToken.None));
        var removed = await ManageAsync(m => m.RemoveAsync("configured", "admin-1", CancellationToken.None));

        Assert.Equal(UpstreamProviderChangeStatus.ReadOnly, updated.Status);
        Assert.Equal(UpstreamProviderChangeStatus.ReadOnly, removed.Status);
    }

    private async Task<UpstreamProviderChange> ManageAsync(Func<UpstreamProviderManager, Task<UpstreamProviderChange>> change)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await change(scope.ServiceProvider.GetRequiredService<UpstreamProviderManager>());
    }

    private async Task<string?> SecretAsync(string id)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IUpstreamProviderDirectory>().GetClientSecretAsync(id, CancellationToken.None);
    }
}
