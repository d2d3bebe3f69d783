using System.Net;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.AdminApi;

/// <summary>RFC 6750 bearer answers and permission checks in front of every admin API operation.</summary>
public sealed class AdminApiAuthorizationTests : IAsyncLifetime
{
    private AdminApiHost _host = null!;

    private string AlicePasskeys => $"/admin/api/users/{_host.AliceId}/passkeys";

    public async Task InitializeAsync() => _host = await AdminApiHost.StartAsync(TestDatabase.Sqlite());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Rejects_WhenNoTokenIsPresented_WithABareBearerChallenge()
    {
        var response = await _host.SendAsync(HttpMethod.Get, AlicePasskeys, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Rejects_WhenTheTokenIsGarbage_WithInvalidToken()
    {
        var response = await _host.SendAsync(HttpMethod.Get, AlicePasskeys, "not.a.token");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Rejects_WhenTheSessionCookieIsAllThereIs()
    {
        // The pages' cookie scheme never authorises an API call; without a bearer token it is a 401.
        using var request = new HttpRequestMessage(HttpMethod.Get, AlicePasskeys);
        request.Headers.Add("Cookie", "idp.session=anything");

        var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Rejects_WhenTheTokenLacksTheAdminScope_WithInsufficientScope()
    {
        var token = await _host.ClientTokenAsync("reports");

        var response = await _host.SendAsync(HttpMethod.Get, AlicePasskeys, token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith("Bearer error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Rejects_WhenTheClientLacksThePermission()
    {
        var token = await _host.ClientTokenAsync("reader");

        var read = await _host.SendAsync(HttpMethod.Get, AlicePasskeys, token);
        var delete = await _host.SendAsync(HttpMethod.Delete, AlicePasskeys + "/AAAA", token);
        var problem = await CodeFlow.JsonAsync(delete);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal("application/problem+json", delete.Content.Headers.ContentType?.MediaType);
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        Assert.Contains("users.manage_factors", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(delete.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Rejects_WhenTheUserIsNotAnAdministrator()
    {
        var token = await _host.UserTokenAsync(_host.AliceId);

        var response = await _host.SendAsync(HttpMethod.Get, AlicePasskeys, token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("users.read", (await CodeFlow.JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grants_EveryPermission_ToTheAdministratorRole()
    {
        var token = await _host.UserTokenAsync(_host.RootId);

        var response = await _host.SendAsync(HttpMethod.Get, AlicePasskeys, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Rejects_AClientWithTheScopeButNoConfiguredPermissions()
    {
        var token = await _host.ClientTokenAsync("unconfigured");

        var response = await _host.SendAsync(HttpMethod.Get, AlicePasskeys, token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Discovery_ListsTheAdminScope()
    {
        var discovery = await CodeFlow.JsonAsync(await _host.Client.GetAsync("/.well-known/openid-configuration"));

        Assert.Contains("idp.admin", discovery.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()));
    }
}
