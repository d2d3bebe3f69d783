using System.Buffers.Binary;
using System.Net;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityProvider.Tests.SignIn;

public sealed class SqlitePasswordSignInTests : PasswordSignInTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresPasswordSignInTests(PostgresCluster cluster) : PasswordSignInTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The hosted login page's password step, as a user and an attacker meet it.</summary>
public abstract class PasswordSignInTests : IAsyncLifetime
{
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string Password = "correct horse battery staple";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
    private readonly CountingPasswordHasher _hasher = new();
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private HttpClient _browser = null!;
    private string _secret = null!;
    private string _alice = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database, _time);
        _browser = Browser(_factory);
        await using var scope = _factory.Services.CreateAsyncScope();
        _secret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", "profile"],
        }, "test", CancellationToken.None)).NewSecret!;
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", DisplayName = "Alice", CreatedAt = _time.GetUtcNow() };
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(alice, Password)).Succeeded);
        _alice = alice.Id;
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private static HttpClient Browser(WebApplicationFactory<Program> factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });

    /// <summary>Starts an authorization request and opens the real login page for it.</summary>
    private async Task<(CodeFlow Flow, HtmlPage Page)> OpenLoginPageAsync(HttpClient browser)
    {
        var flow = new CodeFlow(browser, "crm", Redirect, _secret);
        var authorize = await browser.GetAsync(flow.AuthorizeUrl("openid profile"));
        var location = authorize.Headers.Location!.OriginalString;
        var requestId = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["request"].ToString();
        return (flow, await browser.GetPageAsync("/account/login?request=" + requestId));
    }

    private Task<HttpResponseMessage> SubmitAsync(HttpClient browser, HtmlPage page, string login, string password) =>
        browser.SubmitAsync(page, new Dictionary<string, string> { ["Username"] = login, ["Password"] = password });

    [Theory]
    [InlineData("alice")]
    [InlineData("ALICE@example.com")]
    public async Task SignsIn_WithUsernameOrEmail_AndTheIdTokenSaysPwd(string login)
    {
        var (flow, page) = await OpenLoginPageAsync(_browser);

        var posted = await SubmitAsync(_browser, page, login, Password);
        var resumed = await _browser.GetAsync(posted.Headers.Location!.OriginalString);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(flow.CodeFrom(resumed.Headers.Location!.OriginalString)));

        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        Assert.Equal(_alice, idToken.Subject);
        Assert.Equal(["pwd"], idToken.Claims.Where(c => c.Type == "amr").Select(c => c.Value));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), idToken.GetClaim("auth_time").Value);
        Assert.Equal(1, await _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "sign_in.succeeded" && e.Actor == _alice)));
    }

    [Theory]
    [InlineData("alice", "wrong password entirely")]
    [InlineData("nobody", Password)]
    [InlineData("", Password)]
    public async Task ShowsTheSameGenericError_ForEveryFailure(string login, string password)
    {
        var (_, page) = await OpenLoginPageAsync(_browser);

        var response = await SubmitAsync(_browser, page, login, password);
        var html = await HtmlForms.ReadPageAsync(response, page.Url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(LoginModel.GenericError, html.Document.QuerySelector("#login-error")!.TextContent);
        Assert.Equal("", html.Document.QuerySelector("#password")!.GetAttribute("value") ?? "");
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    [Fact]
    public async Task ShowsTheSameGenericError_ForADisabledAccount_WithTheRightPassword()
    {
        await _factory.WithDbAsync(db => db.Users.ExecuteUpdateAsync(s => s.SetProperty(u => u.DisabledAt, DateTimeOffset.UtcNow)));
        var (_, page) = await OpenLoginPageAsync(_browser);

        var html = await HtmlForms.ReadPageAsync(await SubmitAsync(_browser, page, "alice", Password), page.Url);

        Assert.Equal(LoginModel.GenericError, html.Document.QuerySelector("#login-error")!.TextContent);
    }

    [Fact]
    public async Task LocksTheAccount_AfterFiveWrongPasswords_ForFifteenMinutes()
    {
        var (_, page) = await OpenLoginPageAsync(_browser);
        for (var i = 0; i < 5; i++)
        {
            await SubmitAsync(_browser, page, "alice", "wrong " + i);
        }

        var whileLocked = await HtmlForms.ReadPageAsync(await SubmitAsync(_browser, page, "alice", Password), page.Url);
        _time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        var afterwards = await SubmitAsync(_browser, page, "alice", Password);

        Assert.Equal(LoginModel.GenericError, whileLocked.Document.QuerySelector("#login-error")!.TextContent);
        Assert.Equal(HttpStatusCode.SeeOther, afterwards.StatusCode);
    }

    [Fact]
    public async Task EvaluatesAtMostFivePasswords_OfFiftyParallelWrongOnes()
    {
        await using var counted = _factory.WithWebHostBuilder(web => web.ConfigureServices(services => services.AddSingleton<IPasswordHasher<ApplicationUser>>(_hasher)));
        var storedHash = await _factory.WithDbAsync(db => db.Users.Select(u => u.PasswordHash).SingleAsync());
        _hasher.Watch(storedHash!);
        using var browser = Browser(counted);
        var (_, page) = await OpenLoginPageAsync(browser);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => SubmitAsync(browser, page, "alice", "guess " + i)));

        Assert.True(responses.All(r => r.StatusCode == HttpStatusCode.OK), "server errors: "
            + string.Join(" | ", _factory.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).TakeLast(2)));
        Assert.InRange(_hasher.WatchedVerifications, 1, 5);
        Assert.NotNull(await _factory.WithDbAsync(db => db.Users.Select(u => u.LockoutEnd).SingleAsync()));
    }

    [Fact]
    public async Task CostsOneHashVerification_ForAnUnknownUser_AsForAKnownUsersWrongPassword()
    {
        await using var counted = _factory.WithWebHostBuilder(web => web.ConfigureServices(services => services.AddSingleton<IPasswordHasher<ApplicationUser>>(_hasher)));
        using var browser = Browser(counted);
        var (_, page) = await OpenLoginPageAsync(browser);
        await SubmitAsync(browser, page, "nobody-warm-up", "whatever it is");

        var before = _hasher.AllVerifications;
        await SubmitAsync(browser, page, "nobody", "whatever it is");
        var unknownUser = _hasher.AllVerifications - before;
        before = _hasher.AllVerifications;
        await SubmitAsync(browser, page, "alice", "wrong password");
        var knownUser = _hasher.AllVerifications - before;

        Assert.Equal(1, unknownUser);
        Assert.Equal(1, knownUser);
        Assert.Equal(0, _hasher.Hashes);
    }

    [Fact]
    public async Task HashesWith210000Iterations_AndUpgradesOlderHashesAtTheNextSignIn()
    {
        await using var production = _factory.WithWebHostBuilder(web => web.UseSetting("Passwords:Iterations", "210000"));
        using var browser = Browser(production);
        Assert.Equal(1000, IterationsOf(await _factory.WithDbAsync(db => db.Users.Select(u => u.PasswordHash).SingleAsync())));

        var (_, page) = await OpenLoginPageAsync(browser);
        var response = await SubmitAsync(browser, page, "alice", Password);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(210_000, IterationsOf(await _factory.WithDbAsync(db => db.Users.Select(u => u.PasswordHash).SingleAsync())));
    }

    [Fact]
    public async Task SignsInWithoutAnApplication_IntoMyAccount_AndSignsOut()
    {
        var page = await _browser.GetPageAsync("/account/login");

        var posted = await SubmitAsync(_browser, page, "alice", Password);
        var account = await _browser.GetPageAsync(posted.Headers.Location!.OriginalString);
        var signedOut = await _browser.SubmitAsync(account, new Dictionary<string, string>(), "form");
        var afterwards = await _browser.GetAsync("/account");

        Assert.Equal("/account", posted.Headers.Location!.OriginalString);
        Assert.Contains("My account", account.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, signedOut.StatusCode);
        Assert.Equal("/account/login", afterwards.Headers.Location!.OriginalString);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    [Fact]
    public async Task RefusesAPost_WithoutTheAntiforgeryToken()
    {
        var response = await _browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = "alice", ["Password"] = Password,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    [Fact]
    public async Task NeverLogsThePassword()
    {
        var (_, page) = await OpenLoginPageAsync(_browser);
        await SubmitAsync(_browser, page, "alice", "wrong-but-secret-1");
        await SubmitAsync(_browser, page, "alice", Password);

        Assert.DoesNotContain(_factory.Logs.Lines, l => l.Contains("wrong-but-secret-1", StringComparison.Ordinal) || l.Contains(Password, StringComparison.Ordinal));
    }

    // Identity's V3 format: 0x01, PRF (4 bytes), iteration count (4 bytes, big-endian), ...
    private static int IterationsOf(string? hash) => (int)BinaryPrimitives.ReadUInt32BigEndian(Convert.FromBase64String(hash!).AsSpan(5, 4));

    /// <summary>Counts how often one stored hash is verified: the password evaluations an attacker got.</summary>
    private sealed class CountingPasswordHasher : IPasswordHasher<ApplicationUser>
    {
        private readonly PasswordHasher<ApplicationUser> _inner = new(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 1000 }));
        private string? _watched;
        private int _verifications;
        private int _allVerifications;
        private int _hashes;

        public int WatchedVerifications => _verifications;

        public int AllVerifications => _allVerifications;

        /// <summary>Hashes made after the first sign-in attempt (the decoy is made once per node, then never again).</summary>
        public int Hashes => _hashes;

        public void Watch(string hash) => _watched = hash;

        public string HashPassword(ApplicationUser user, string password)
        {
            Interlocked.Increment(ref _hashes);
            return _inner.HashPassword(user, password);
        }

        public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _allVerifications);
            if (hashedPassword == _watched)
            {
                Interlocked.Increment(ref _verifications);
            }

            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
