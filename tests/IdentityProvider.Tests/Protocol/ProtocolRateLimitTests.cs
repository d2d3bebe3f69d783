using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Protocol;

/// <summary>
/// Floods of the back-channel endpoints: per client address before client authentication, per
/// client after it. Refusals are OAuth errors in JSON with Retry-After; nobody else is affected.
/// Buckets are in memory, so SQLite only.
/// </summary>
public sealed class ProtocolRateLimitTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private readonly List<IdentityProviderFactory> _factories = [];

    public void Dispose()
    {
        foreach (var factory in _factories)
        {
            factory.Dispose();
        }

        _database.Dispose();
    }

    /// <summary>A node with the given limit (two at once, refilled once a minute) and two confidential clients.</summary>
    private async Task<(IdentityProviderFactory Factory, string Reports, string Billing)> NodeAsync(string limit)
    {
        var factory = new IdentityProviderFactory(_database, settings: new Dictionary<string, string>
        {
            [$"RateLimits:{limit}:TokenLimit"] = "2",
            [$"RateLimits:{limit}:TokensPerPeriod"] = "1",
            [$"RateLimits:{limit}:ReplenishmentPeriod"] = "00:01:00",
        });
        _factories.Add(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
        var secrets = new List<string>();
        foreach (var id in new[] { "reports", "billing" })
        {
            secrets.Add((await clients.AddAsync(new ClientRegistration { ClientId = id, GrantTypes = [GrantTypes.ClientCredentials], Scopes = ["reports.read"] },
                "test", CancellationToken.None)).NewSecret!);
        }

        return (factory, secrets[0], secrets[1]);
    }

    private static HttpClient Server(IdentityProviderFactory factory, string address)
    {
        var client = factory.CreateBrowserlessClient();
        client.DefaultRequestHeaders.Add(TestRemoteAddressStartupFilter.Header, address);
        return client;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient server, string path, string clientId, string secret, params (string, string)[] form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form.Select(p => KeyValuePair.Create(p.Item1, p.Item2))) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        return server.SendAsync(request);
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient server, string clientId, string secret) =>
        PostAsync(server, "/connect/token", clientId, secret, ("grant_type", "client_credentials"));

    private static async Task AssertRefusedAsAnOAuthErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After in seconds");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("temporarily_unavailable", body.RootElement.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("error_description").GetString()));
    }

    [Theory]
    [InlineData("/connect/token", "grant_type", "client_credentials")]
    [InlineData("/connect/introspect", "token", "not-a-token")]
    [InlineData("/connect/revoke", "token", "not-a-token")]
    public async Task Refuses_TheThirdRequestFromOneAddress_AsAnOAuthError_AndNoOtherAddress(string path, string name, string value)
    {
        var (factory, reports, _) = await NodeAsync("ProtocolPerIp");
        using var flooder = Server(factory, "203.0.113.7");
        using var neighbour = Server(factory, "198.51.100.20");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PostAsync(flooder, path, "reports", reports, (name, value))).StatusCode);
        }

        var third = await PostAsync(flooder, path, "reports", reports, (name, value));
        var other = await PostAsync(neighbour, path, "reports", reports, (name, value));

        await AssertRefusedAsAnOAuthErrorAsync(third);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Refuses_TheThirdUserInfoRequestFromOneAddress_AsAnOAuthError()
    {
        var (factory, _, _) = await NodeAsync("ProtocolPerIp");
        using var flooder = Server(factory, "203.0.113.7");
        flooder.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await flooder.GetAsync("/connect/userinfo")).StatusCode);
        }

        await AssertRefusedAsAnOAuthErrorAsync(await flooder.GetAsync("/connect/userinfo"));
    }

    /// <summary>
    /// Each valid authorization request from a browser without a session is stored until it is
    /// answered or expires; a refused one stores nothing and the person reads why.
    /// </summary>
    [Fact]
    public async Task Refuses_TheThirdAuthorizationRequestFromOneAddress_WithThePage_AndStoresNothingForIt()
    {
        var (factory, _, _) = await NodeAsync("AuthorizationPerIp");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
            {
                ClientId = "web",
                Type = ClientType.Public,
                GrantTypes = [GrantTypes.AuthorizationCode],
                RedirectUris = ["https://web.example/callback"],
                Scopes = ["openid"],
            }, "test", CancellationToken.None);
        }

        const string Authorize = "/connect/authorize?client_id=web&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fweb.example%2Fcallback"
            + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
        using var flooder = Server(factory, "203.0.113.7");
        using var neighbour = Server(factory, "198.51.100.20");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await flooder.GetAsync(Authorize)).StatusCode);
        }

        var third = await flooder.GetAsync(Authorize);
        var other = await neighbour.GetAsync(Authorize);

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After in seconds");
        Assert.Contains("Too many attempts", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
        Assert.Equal(3, await factory.WithDbAsync(db => db.PendingAuthorizations.CountAsync()));
    }

    [Fact]
    public async Task CountsWrongSecrets_AgainstTheAddress()
    {
        var (factory, _, _) = await NodeAsync("ProtocolPerIp");
        using var guesser = Server(factory, "203.0.113.7");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(guesser, "reports", "guess " + i)).StatusCode);
        }

        await AssertRefusedAsAnOAuthErrorAsync(await TokenAsync(guesser, "reports", "guess 3"));
    }

    [Fact]
    public async Task Refuses_AClientOverItsOwnLimit_FromAnyAddress_AndNoOtherClient()
    {
        var (factory, reports, billing) = await NodeAsync("ProtocolPerClient");
        for (var i = 0; i < 2; i++)
        {
            using var node = Server(factory, "192.0.2." + (i + 1));
            Assert.Equal(HttpStatusCode.OK, (await TokenAsync(node, "reports", reports)).StatusCode);
        }

        using var third = Server(factory, "192.0.2.3");
        var refused = await TokenAsync(third, "reports", reports);
        var refusedIntrospection = await PostAsync(third, "/connect/introspect", "reports", reports, ("token", "not-a-token"));
        var other = await TokenAsync(third, "billing", billing);

        await AssertRefusedAsAnOAuthErrorAsync(refused);
        await AssertRefusedAsAnOAuthErrorAsync(refusedIntrospection);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task WrongSecrets_DoNotSpendTheNamedClientsAllowance()
    {
        var (factory, reports, _) = await NodeAsync("ProtocolPerClient");
        for (var i = 0; i < 5; i++)
        {
            using var attacker = Server(factory, "203.0.113." + (i + 1));
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(attacker, "reports", "guess " + i)).StatusCode);
        }

        using var owner = Server(factory, "198.51.100.20");
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(owner, "reports", reports)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(owner, "reports", reports)).StatusCode);
    }
}
