using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Infrastructure.Cluster;

/// <summary>
/// Three identity-provider processes on loopback ports over one database in a throwaway
/// PostgreSQL cluster, behind Debian's nginx (round-robin, no sticky sessions) configured from
/// <c>deploy/nginx/identity-provider.conf.template</c>. The issuer is nginx's address, and the nodes
/// believe X-Forwarded-* from 127.0.0.1 only. Shared by the tests of the <see cref="ClusterCollection"/>
/// (starting it takes half a minute or more on a loaded machine); every test brings its own users and clients.
/// <para>
/// <see cref="Operator"/> is the same application in the test process on the same database: the
/// operator's seat for seeding users and clients and reading rows. It is never behind nginx, so it
/// is a fourth node that no browser reaches.
/// </para>
/// </summary>
public class IdentityProviderCluster : IAsyncLifetime
{
    public const int NodeCount = 3;

    /// <summary>
    /// How long each node caches a client (<c>Caching:ClientLifetime</c>), kept short so the
    /// cache-bound test waits seconds rather than the production default's 30.
    /// </summary>
    public static readonly TimeSpan ClientCacheLifetime = TimeSpan.FromSeconds(2);

    /// <summary>How long each node caches signing keys (<c>SigningKeys:CacheDuration</c>), short for the same reason.</summary>
    public static readonly TimeSpan KeyCacheDuration = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a rotated key is published before it signs (<c>SigningKeys:PrePublication</c>):
    /// seconds instead of the production default's day, so the rotation test sees the new key sign.
    /// </summary>
    public static readonly TimeSpan KeyPrePublication = TimeSpan.FromSeconds(4);

    private readonly PostgresCluster _postgres = new();
    private readonly List<ClusterNode> _nodes = [];
    private TestDatabase _database = null!;
    private Dictionary<string, string> _settings = null!;

    /// <summary>The nodes, in the order nginx lists them.</summary>
    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    public NginxBalancer Balancer { get; private set; } = null!;

    /// <summary><c>http://localhost:PORT</c>: nginx's address, and the issuer every node is configured with.</summary>
    public string Issuer => $"http://localhost:{Balancer.Port}";

    public IdentityProviderFactory Operator { get; private set; } = null!;

    /// <summary>
    /// Further settings for every node and the operator, which win over this fixture's defaults:
    /// for a subclass fixture (e.g. SMTP at a sink's port). The cache lifetimes above are what the
    /// cache tests assert, so a subclass leaves those alone.
    /// </summary>
    protected virtual IReadOnlyDictionary<string, string> NodeSettings() => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed, and node or nginx processes
            // left running would outlive the test run.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        await _postgres.InitializeAsync();
        _database = await TestDatabase.EmptyPostgresAsync(_postgres);

        // nginx needs the nodes' ports and the nodes need nginx's address (their issuer), so
        // nginx's port is chosen first and the nodes are started before nginx.
        var balancerPort = NginxBalancer.FreePort();
        var settings = _settings = Settings($"http://localhost:{balancerPort}");
        for (var i = 1; i <= NodeCount; i++)
        {
            // All at once on an empty database, as a Deployment's replicas start: migrations,
            // data-protection and signing keys must cope with that.
            _nodes.Add(ClusterNode.Start("node" + i, settings));
        }

        await Task.WhenAll(_nodes.Select(n => n.WaitUntilReadyAsync()));
        Balancer = await NginxBalancer.StartAsync(_nodes.Select(n => n.Address).ToList(), balancerPort);
        Operator = new IdentityProviderFactory(_database, issuer: Issuer, settings: settings);
        // Starts the in-process host now, so the first test does not pay for it.
        _ = Operator.Services;
    }

    public async Task DisposeAsync()
    {
        if (Operator is not null)
        {
            await Operator.DisposeAsync();
        }

        if (Balancer is not null)
        {
            await Balancer.DisposeAsync();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        var databaseCreated = _database is not null;
        _database?.Dispose();
        try
        {
            await _postgres.DisposeAsync();
        }
        catch (Exception) when (!databaseCreated)
        {
            // PostgreSQL never came up; the failure that stopped it is the one worth reporting.
        }
    }

    /// <summary>
    /// Stops this cluster's own PostgreSQL (fast shutdown: connections are cut, committed work is
    /// kept), as a database restart or failover does. No other test class uses this server.
    /// </summary>
    public Task StopDatabaseAsync() => _postgres.StopAsync();

    /// <summary>
    /// Starts PostgreSQL again. The nodes recover by themselves; only the test process's own pools
    /// (the operator's) are emptied here, as its direct service calls have no outage handling.
    /// </summary>
    public async Task StartDatabaseAsync()
    {
        await _postgres.StartAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// Starts a fresh process for a node that was killed, on the same port (nginx's configuration
    /// names it), and waits until it is ready, so the cluster is whole again for the next test.
    /// </summary>
    public async Task ReplaceNodeAsync(ClusterNode dead)
    {
        var index = _nodes.IndexOf(dead);
        await dead.DisposeAsync();
        var replacement = ClusterNode.Start(dead.Name, _settings, dead.Port);
        _nodes[index] = replacement;
        await replacement.WaitUntilReadyAsync();
        await WaitUntilBalancedToAsync(replacement);
    }

    /// <summary>
    /// nginx took the killed node out of its rotation after the refused connections (passive
    /// health checks: <c>max_fails</c> 1, <c>fail_timeout</c> 10 s by default) and only tries it
    /// again once that time is over. Until then the next test would see two nodes, not three.
    /// </summary>
    private async Task WaitUntilBalancedToAsync(ClusterNode node)
    {
        using var client = new HttpClient { BaseAddress = new Uri(Issuer) };
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using (var response = await client.GetAsync("/health/live"))
            {
                if (NodeOf(response) == node)
                {
                    return;
                }
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"nginx did not send a request to {node.Name} within 30 s of its replacement starting.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>A per-test view of the cluster: browsers through nginx, and the nodes' output for the test's log.</summary>
    public ClusterSession BeginTest(Xunit.Abstractions.ITestOutputHelper output) => new(this, output);

    /// <summary>The node whose address is in a response's <see cref="NginxBalancer.ServedByHeader"/>.</summary>
    public ClusterNode NodeOf(HttpResponseMessage response)
    {
        var servedBy = response.Headers.TryGetValues(NginxBalancer.ServedByHeader, out var values) ? values.Single() : null;
        return _nodes.SingleOrDefault(n => n.Address == servedBy)
            ?? throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} has no {NginxBalancer.ServedByHeader} naming one node (got '{servedBy}').");
    }

    public async Task<T> WithServicesAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Operator.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public Task<T> WithDbAsync<T>(Func<IdentityProviderDbContext, Task<T>> query) => Operator.WithDbAsync(query);

    /// <summary>A new user with a password (no second factor yet), made by the operator.</summary>
    public Task<ClusterUser> CreatePasswordUserAsync() => WithServicesAsync(async services =>
    {
        var name = "user-" + Guid.NewGuid().ToString("N")[..10];
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var user = new ApplicationUser { UserName = name, Email = name + "@example.com", EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        var created = await services.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(user, password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        return new ClusterUser(user.Id, name, password);
    });

    /// <summary>
    /// A new user with a password in the administrator role (every console and admin API permission),
    /// made by the operator. The console also wants a second factor: <see cref="EnrolTotpAsync"/>.
    /// </summary>
    public async Task<ClusterUser> CreateAdministratorAsync()
    {
        var admin = await CreatePasswordUserAsync();
        await WithServicesAsync(async services =>
        {
            var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
            if (!await roles.RoleExistsAsync(Roles.Administrator))
            {
                await roles.CreateAsync(new IdentityRole(Roles.Administrator));
            }

            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var added = await users.AddToRoleAsync((await users.FindByIdAsync(admin.Id))!, Roles.Administrator);
            Assert.True(added.Succeeded, string.Join(" ", added.Errors.Select(e => e.Description)));
            return added;
        });
        return admin;
    }

    /// <summary>
    /// Sets up an authenticator app for the user and returns its secret. The nodes read the real
    /// clock, so the activation uses the previous time step's code: every code of the current step
    /// and later is still unused, whichever node checks it.
    /// </summary>
    public Task<string> EnrolTotpAsync(string userId) => WithServicesAsync(async services =>
    {
        var totp = services.GetRequiredService<TotpAuthenticator>();
        var enrolment = await totp.BeginEnrolmentAsync(userId, userId, CancellationToken.None);
        var key = Base32.Decode(enrolment.Secret);
        var computedAt = DateTimeOffset.UtcNow;
        if (!await totp.ActivateAsync(userId, Rfc6238.ComputeCode(key, computedAt - TimeSpan.FromSeconds(Rfc6238.StepSeconds)), CancellationToken.None))
        {
            // A new step began between computing the code and checking it, so the code was two
            // steps old by then (seen on a loaded machine). A refused activation changes nothing;
            // once more with the step before the new one, and only for that reason.
            var now = DateTimeOffset.UtcNow;
            Assert.NotEqual(computedAt.ToUnixTimeSeconds() / Rfc6238.StepSeconds, now.ToUnixTimeSeconds() / Rfc6238.StepSeconds);
            Assert.True(await totp.ActivateAsync(userId, Rfc6238.ComputeCode(key, now - TimeSpan.FromSeconds(Rfc6238.StepSeconds)), CancellationToken.None));
        }

        return enrolment.Secret;
    });

    /// <summary>A new confidential client (code and refresh-token grants, PKCE), made by the operator.</summary>
    /// <param name="scopes">The scopes it may ask for; by default <c>openid profile offline_access</c>.</param>
    public Task<ClusterClient> RegisterClientAsync(IReadOnlyList<string>? scopes = null) => WithServicesAsync(async services =>
    {
        var clientId = "client-" + Guid.NewGuid().ToString("N")[..10];
        var redirect = $"https://{clientId}.example.com/signin-oidc";
        var added = await services.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = clientId,
            RedirectUris = [redirect],
            GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            Scopes = [.. scopes ?? ["openid", "profile", "offline_access"]],
        }, "test", CancellationToken.None);
        Assert.True(added.Succeeded, string.Join(" ", added.Errors));
        return new ClusterClient(clientId, added.NewSecret!, redirect);
    });

    private Dictionary<string, string> Settings(string issuer)
    {
        var settings = new Dictionary<string, string>
        {
            ["Issuer"] = issuer,
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = _database.ConnectionString,
            // nginx connects from 127.0.0.1, and only its X-Forwarded-* may be believed.
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
            ["Caching:ClientLifetime"] = ClientCacheLifetime.ToString("c", CultureInfo.InvariantCulture),
            ["SigningKeys:CacheDuration"] = KeyCacheDuration.ToString("c", CultureInfo.InvariantCulture),
            ["SigningKeys:PrePublication"] = KeyPrePublication.ToString("c", CultureInfo.InvariantCulture),
            // As IdentityProviderFactory: cheap hashes, and per-node rate limits the race tests'
            // bursts never reach (the lockout counters in the database are what they test).
            ["Passwords:Iterations"] = "1000",
            ["RateLimits:SignInPerIp:TokenLimit"] = "1000000",
            ["RateLimits:SignInPerAccount:TokenLimit"] = "1000000",
            ["RateLimits:AccountRecoveryPerIp:TokenLimit"] = "1000000",
            ["RateLimits:ProtocolPerIp:TokenLimit"] = "1000000",
            ["RateLimits:AuthorizationPerIp:TokenLimit"] = "1000000",
            ["RateLimits:ProtocolPerClient:TokenLimit"] = "1000000",
            ["Passwords:HashQueueLimit"] = "1000000",
            // The real hosted pages: the test login exists only in the in-process hosts.
            ["Interaction:LoginPath"] = "/account/login",
        };
        foreach (var (key, value) in NodeSettings())
        {
            settings[key] = value;
        }

        return settings;
    }
}

public sealed record ClusterUser(string Id, string UserName, string Password);

public sealed record ClusterClient(string ClientId, string Secret, string RedirectUri)
{
    /// <summary>A relying party's view of one sign-in through <paramref name="browser"/>.</summary>
    public CodeFlow Flow(HttpClient browser) => new(browser, ClientId, RedirectUri, Secret);

    /// <summary>RFC 7662 §2.1, with the client's own credentials (§2.1 requires the caller to authenticate).</summary>
    public async Task<HttpResponseMessage> IntrospectAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.EscapeDataString(ClientId) + ":" + Uri.EscapeDataString(Secret))));
        return await http.SendAsync(request);
    }

    /// <summary>OIDC Core §5.3.1 with the access token as a bearer token (RFC 6750 §2.1).</summary>
    public static Task<HttpResponseMessage> UserInfoAsync(HttpClient http, string accessToken) => BearerAsync(http, HttpMethod.Get, "/connect/userinfo", accessToken);

    /// <summary>A request with <paramref name="accessToken"/> in the Authorization header (RFC 6750 §2.1): UserInfo, the admin API.</summary>
    public static async Task<HttpResponseMessage> BearerAsync(HttpClient http, HttpMethod method, string path, string accessToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await http.SendAsync(request);
    }
}

/// <summary>Cluster tests share one cluster and run one at a time: they count what each node served.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<IdentityProviderCluster>
{
    public const string Name = "Cluster";
}
