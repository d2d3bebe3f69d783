using System.Net;
using System.Text.Json;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqlitePolicyCheckApiTests : PolicyCheckApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());

    [Theory]
    [InlineData("/admin/api/policy-check")]
    [InlineData("/admin/api/policy-check?userId=")]
    [InlineData("/admin/api/policy-check?clientId=console")]
    public async Task Rejects_WhenTheUserIdIsMissing(string path)
    {
        var problem = await Problems.AssertAsync(await Host.SendAsync(HttpMethod.Get, path, Reader), HttpStatusCode.BadRequest);

        Assert.Contains("userId", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers404_ForAnUnknownUser()
    {
        var problem = await Problems.AssertAsync(await Host.SendAsync(HttpMethod.Get, "/admin/api/policy-check?userId=nobody", Reader), HttpStatusCode.NotFound);

        Assert.Equal("Unknown user", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Answers404_ForAnUnknownClient()
    {
        var response = await Host.SendAsync(HttpMethod.Get, $"/admin/api/policy-check?userId={Host.AliceId}&clientId=nope", Reader);

        Assert.Equal("Unknown client", (await Problems.AssertAsync(response, HttpStatusCode.NotFound)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Requires_UsersRead()
    {
        var alice = await Host.UserTokenAsync(Host.AliceId);
        var unconfigured = await Host.ClientTokenAsync("unconfigured");

        foreach (var token in new[] { alice, unconfigured })
        {
            var problem = await Problems.AssertAsync(await Host.SendAsync(HttpMethod.Get, $"/admin/api/policy-check?userId={Host.AliceId}", token), HttpStatusCode.Forbidden);
            Assert.Contains("users.read", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresPolicyCheckApiTests(PostgresCluster cluster) : PolicyCheckApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The administrators' "why was I (not) asked?" through <c>/admin/api/policy-check</c>.</summary>
public abstract class PolicyCheckApiTests : IAsyncLifetime
{
    protected AdminApiHost Host { get; private set; } = null!;

    /// <summary>A client token with users.read only: the check changes nothing.</summary>
    protected string Reader { get; private set; } = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        Host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        Reader = await Host.ClientTokenAsync("reader");
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    private async Task<JsonElement> CheckAsync(string query)
    {
        var response = await Host.SendAsync(HttpMethod.Get, "/admin/api/policy-check?" + query, Reader);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await CodeFlow.JsonAsync(response);
    }

    private static IEnumerable<string?> Codes(JsonElement answer) =>
        answer.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString());

    [Fact]
    public async Task Explains_ThatNothingRequiresMfa_ForAPlainUser()
    {
        var answer = await CheckAsync($"userId={Host.AliceId}");

        Assert.Equal("single", answer.GetProperty("required").GetString());
        Assert.Equal("single", answer.GetProperty("reached").GetString());
        Assert.True(answer.GetProperty("satisfied").GetBoolean());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("acr").ValueKind);
        Assert.Equal("none", answer.GetProperty("enrolment").GetString());
        Assert.Contains("mfa-optional", Codes(answer));
        Assert.All(answer.GetProperty("reasons").EnumerateArray(), r => Assert.False(string.IsNullOrEmpty(r.GetProperty("text").GetString())));
    }

    [Fact]
    public async Task Explains_TheOrganisationsRequirement_AfterTheUserJoinsIt()
    {
        var policy = await Host.ClientTokenAsync("policy");
        var created = await Host.SendJsonAsync(HttpMethod.Post, "/admin/api/organisations", policy, new { name = "Acme", requireMfa = true });
        var acme = (await CodeFlow.JsonAsync(created)).GetProperty("id").GetString();
        var joined = await Host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{Host.AliceId}/organisation", policy, new { organisationId = acme });

        var answer = await CheckAsync($"userId={Host.AliceId}&clientId=console");

        Assert.Equal(HttpStatusCode.NoContent, joined.StatusCode);
        Assert.Contains("organisation-requires-mfa", Codes(answer));
        Assert.Equal("mfa", answer.GetProperty("required").GetString());
        Assert.False(answer.GetProperty("satisfied").GetBoolean());
        Assert.NotEqual("none", answer.GetProperty("enrolment").GetString());
    }

    [Theory]
    [InlineData("mfa+phr", "mfa", "acr-values-requested")] // alternatives (OIDC Core §3.1.2.1): the weaker one is enough
    [InlineData("phr", "phishingResistant", "acr-values-requested")]
    [InlineData("gold", "single", "acr-value-ignored")]
    public async Task Explains_TheRequestedAcrValues(string acrValues, string required, string code)
    {
        var answer = await CheckAsync($"userId={Host.AliceId}&clientId=console&acrValues={acrValues}");

        Assert.Contains(code, Codes(answer));
        Assert.Equal(required, answer.GetProperty("required").GetString());
        Assert.Equal(required == "single", answer.GetProperty("satisfied").GetBoolean());
    }
}
