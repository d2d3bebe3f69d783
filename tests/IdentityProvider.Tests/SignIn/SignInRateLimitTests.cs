using System.Net;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.SignIn;

/// <summary>
/// A flood of sign-in posts gets 429 with Retry-After and a readable page, per client address,
/// per login name, and when every hashing slot is busy; nobody else is affected and nothing changes.
/// Rate limiting does not depend on the database, so SQLite only.
/// </summary>
public sealed class SignInRateLimitTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private readonly SlowPasswordHasher _hasher = new();
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _database = TestDatabase.Sqlite();
        _factory = new IdentityProviderFactory(_database);
        await using var scope = _factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        foreach (var name in new[] { "alice", "bob" })
        {
            var user = new ApplicationUser { UserName = name, Email = name + "@example.com", DisplayName = name, CreatedAt = DateTimeOffset.UtcNow };
            Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        }
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    /// <summary>The factory's generous limits with the given settings on top; a refill period of a minute keeps the counts exact.</summary>
    private WebApplicationFactory<Program> WithSettings(params (string Key, string Value)[] settings) =>
        _factory.WithWebHostBuilder(web =>
        {
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });

    private static HttpClient Browser(WebApplicationFactory<Program> factory, string address)
    {
        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        browser.DefaultRequestHeaders.Add(TestRemoteAddressStartupFilter.Header, address);
        return browser;
    }

    private static async Task<HttpResponseMessage> LogInAsync(HttpClient browser, string login, string password)
    {
        var page = await browser.GetPageAsync("/account/login");
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["Username"] = login, ["Password"] = password });
    }

    private static async Task AssertTooManyAttemptsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After in seconds");
        Assert.Contains(TooManyAttemptsResult.Message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refuses_TheEleventhPost_FromOneAddress_AndNoOtherAddress()
    {
        await using var limited = WithSettings(("RateLimits:SignInPerIp:TokenLimit", "10"), ("RateLimits:SignInPerIp:ReplenishmentPeriod", "00:01:00"));
        using var attacker = Browser(limited, "203.0.113.7");
        using var neighbour = Browser(limited, "198.51.100.20");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await LogInAsync(attacker, "nobody" + i, "guess")).StatusCode);
        }

        var eleventh = await LogInAsync(attacker, "alice", Password);
        var other = await LogInAsync(neighbour, "alice", Password);

        await AssertTooManyAttemptsAsync(eleventh);
        Assert.Equal(HttpStatusCode.SeeOther, other.StatusCode);
        // The refused post, with the right password, signed nobody in: only the neighbour's did.
        Assert.Equal(1, await _factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    [Fact]
    public async Task ShowsTheLoginPage_ToAnAddressOutOfAttempts()
    {
        await using var limited = WithSettings(("RateLimits:SignInPerIp:TokenLimit", "1"), ("RateLimits:SignInPerIp:ReplenishmentPeriod", "00:01:00"));
        using var attacker = Browser(limited, "203.0.113.7");
        await LogInAsync(attacker, "nobody", "guess");

        var refused = await LogInAsync(attacker, "nobody", "guess");
        var page = await attacker.GetAsync("/account/login");

        await AssertTooManyAttemptsAsync(refused);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Refuses_PostsForOneAccount_FromManyAddresses_AfterTheAccountLimit()
    {
        await using var limited = WithSettings(("RateLimits:SignInPerAccount:TokenLimit", "3"), ("RateLimits:SignInPerAccount:ReplenishmentPeriod", "00:01:00"));
        for (var i = 1; i <= 3; i++)
        {
            using var bot = Browser(limited, "192.0.2." + i);
            Assert.Equal(HttpStatusCode.OK, (await LogInAsync(bot, "alice", "guess " + i)).StatusCode);
        }

        using var fourth = Browser(limited, "192.0.2.4");
        using var bobsBrowser = Browser(limited, "192.0.2.5");
        var refused = await LogInAsync(fourth, " ALICE ", Password);
        var bob = await LogInAsync(bobsBrowser, "bob", Password);

        await AssertTooManyAttemptsAsync(refused);
        Assert.Equal(HttpStatusCode.SeeOther, bob.StatusCode);
        // Three wrong passwords counted, the refused fourth post not at all.
        Assert.Equal(3, await _factory.WithDbAsync(db => db.Users.Where(u => u.UserName == "alice").Select(u => u.AccessFailedCount).SingleAsync()));
    }

    [Fact]
    public async Task Refuses_PasswordChecks_BeyondTheHashingSlotsAndQueue_WithoutEverHashingTwoAtOnce()
    {
        await using var limited = _factory.WithWebHostBuilder(web =>
        {
            web.UseSetting("Passwords:MaxConcurrentHashes", "1");
            web.UseSetting("Passwords:HashQueueLimit", "1");
            web.ConfigureServices(services => services.AddSingleton<IPasswordHasher<ApplicationUser>>(_hasher));
        });
        var browsers = Enumerable.Range(1, 10).Select(i => Browser(limited, "192.0.2." + i)).ToList();
        var pages = await Task.WhenAll(browsers.Select(b => b.GetPageAsync("/account/login")));

        var posts = browsers.Select((b, i) =>
            b.SubmitAsync(pages[i], new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password })).ToList();
        // One check holds the only slot and one waits in the queue; the other eight are refused at
        // once. Only then may the held verification finish.
        await _hasher.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        while (posts.Count(p => p.IsCompleted) < posts.Count - 2)
        {
            await Task.Delay(10);
        }

        _hasher.Release();
        var responses = await Task.WhenAll(posts);

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.All(statuses, status => Assert.Contains(status, new[] { HttpStatusCode.SeeOther, HttpStatusCode.TooManyRequests }));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Contains(HttpStatusCode.SeeOther, statuses);
        await AssertTooManyAttemptsAsync(responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(1, _hasher.MaxConcurrentVerifications);
        browsers.ForEach(b => b.Dispose());
    }

    /// <summary>
    /// Holds every verification until the test releases it (a hash that takes as long as the test
    /// needs, without sleeping), and records how many verifications ran at once.
    /// </summary>
    private sealed class SlowPasswordHasher : IPasswordHasher<ApplicationUser>
    {
        private readonly PasswordHasher<ApplicationUser> _inner = new(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 1000 }));
        private readonly ManualResetEventSlim _release = new();
        private int _running;
        private int _max;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.Set();

        public int MaxConcurrentVerifications => Volatile.Read(ref _max);

        public string HashPassword(ApplicationUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
        {
            var running = Interlocked.Increment(ref _running);
            int max;
            while (running > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, running, max) != max)
            {
            }

            try
            {
                Started.TrySetResult();
                _release.Wait(TimeSpan.FromSeconds(30));
                return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
