using System.Net;
using IdentityProvider.Admin.Users;
using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.SignIn;

public sealed class SqliteLockoutBackOffTests : LockoutBackOffTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLockoutBackOffTests(PostgresCluster cluster) : LockoutBackOffTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>
/// An attacker's flood on someone's account locks it for a while, longer each time, never for good;
/// the real user signs in once a lock has run out, and that (or an administrator's unlock) starts
/// the back-off again. Lock durations: 15 min, then doubled, capped here at 1 h.
/// </summary>
public abstract class LockoutBackOffTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private static readonly TimeSpan First = TimeSpan.FromMinutes(15);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private string _alice = null!;
    private string _totpSecret = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database, _time, settings: new Dictionary<string, string> { ["Lockout:MaxDuration"] = "01:00:00" });
        await using var scope = _factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", DisplayName = "Alice", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(alice, Password)).Succeeded);
        _alice = alice.Id;
        var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
        _totpSecret = (await totp.BeginEnrolmentAsync(_alice, "alice", CancellationToken.None)).Secret;
        Assert.True(await totp.ActivateAsync(_alice, Code(), CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private string Code() => Rfc6238.ComputeCode(Base32.Decode(_totpSecret), _time.GetUtcNow());

    private HttpClient Browser(string address)
    {
        var browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        browser.DefaultRequestHeaders.Add(TestRemoteAddressStartupFilter.Header, address);
        return browser;
    }

    private async Task<HttpResponseMessage> PasswordAsync(HttpClient browser, string password)
    {
        var login = await browser.GetPageAsync(LoginModel.Path);
        return await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = password });
    }

    /// <summary>Wrong passwords for alice, each from another address, until one locks the account; returns the lock's end.</summary>
    private async Task<DateTimeOffset> FloodUntilLockedAsync(int round)
    {
        for (var i = 0; i < 5; i++)
        {
            using var bot = Browser($"203.0.{round}.{i + 1}");
            Assert.Equal(HttpStatusCode.OK, (await PasswordAsync(bot, "guess " + i)).StatusCode);
        }

        return (await LockoutAsync()).End!.Value;
    }

    private Task<(DateTimeOffset? End, int Locks)> LockoutAsync() => _factory.WithDbAsync(db =>
        db.Users.Where(u => u.Id == _alice).Select(u => new ValueTuple<DateTimeOffset?, int>(u.LockoutEnd, u.SuccessiveLockouts)).SingleAsync());

    [Fact]
    public async Task LocksForLongerEachTime_UpToTheCap_AndTheUserSignsInOnceItRunsOut()
    {
        var ends = new List<TimeSpan>();
        for (var round = 1; round <= 4; round++)
        {
            var end = await FloodUntilLockedAsync(round);
            ends.Add(end - _time.GetUtcNow());
            _time.Advance(end - _time.GetUtcNow() + TimeSpan.FromSeconds(1));
        }

        using var alice = Browser("198.51.100.20");
        var afterPassword = await PasswordAsync(alice, Password);
        var codePage = await alice.GetPageAsync(afterPassword.Headers.Location!.OriginalString);
        var afterCode = await alice.SubmitAsync(codePage, new Dictionary<string, string> { ["Code"] = Code() });

        Assert.Equal([First, 2 * First, 4 * First, TimeSpan.FromHours(1)], ends);
        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.SeeOther, afterCode.StatusCode);
        Assert.Equal(1, await _factory.WithDbAsync(db => db.UserSessions.CountAsync(s => s.UserId == _alice)));
        Assert.Equal(0, (await LockoutAsync()).Locks);
        // The back-off starts again: the next flood locks for the first duration.
        Assert.Equal(_time.GetUtcNow() + First, await FloodUntilLockedAsync(9));
    }

    [Fact]
    public async Task KeepsTheBackOff_WhenThePasswordIsRightButTheCodeNeverComes()
    {
        var first = await FloodUntilLockedAsync(1);
        _time.Advance(first - _time.GetUtcNow() + TimeSpan.FromSeconds(1));
        using var attacker = Browser("192.0.2.1");
        var afterPassword = await PasswordAsync(attacker, Password);

        var second = await FloodUntilLockedAsync(2);

        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location!.OriginalString);
        Assert.Equal(_time.GetUtcNow() + 2 * First, second);
    }

    [Fact]
    public async Task NeverLocksForGood_ByDefault_AfterAHundredFailures()
    {
        await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.ConsecutiveFailedSignIns, 100).SetProperty(u => u.SuccessiveLockouts, 20)));

        var end = await FloodUntilLockedAsync(1);

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(1), end);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.Users.CountAsync(u => u.LockoutEnd == DateTimeOffset.MaxValue)));
    }

    [Fact]
    public async Task StartsAgainAtTheFirstDuration_AfterAnAdministratorsUnlock()
    {
        await FloodUntilLockedAsync(1);
        _time.Advance(First + TimeSpan.FromSeconds(1));
        await FloodUntilLockedAsync(2);
        Assert.Equal(2, (await LockoutAsync()).Locks);

        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<UserAccountActions>().UnlockAsync(_alice, "admin", CancellationToken.None));
        }

        Assert.Equal((null, 0), await LockoutAsync());
        Assert.Equal(_time.GetUtcNow() + First, await FloodUntilLockedAsync(3));
    }

    [Fact]
    public async Task EscalatesOnce_WhenManyFailuresRaceToLock()
    {
        await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.SecondFactorFailedCount, 5).SetProperty(u => u.SuccessiveLockouts, 2)));
        var gate = _factory.Services.GetRequiredService<SignInAttemptGate>();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => gate.RecordFailureAsync(_alice, SignInFactor.SecondFactor, CancellationToken.None))));

        Assert.Equal((_time.GetUtcNow() + 4 * First, 3), await LockoutAsync());
        var audit = Assert.Single(await _factory.WithDbAsync(db => db.AuditEvents.Where(e => e.TargetId == _alice && e.Action == AuditActions.AccountLocked).ToListAsync()));
        Assert.Contains("locked until 2026-11-22T10:00:40Z (lock 3 without a complete sign-in)", audit.Details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 15)]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(7, 1440)]
    [InlineData(int.MaxValue, 1440)]
    public void DoublesTheFirstDuration_PerEarlierLock_UpToTheLongest(int earlierLocks, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), SignInAttemptGate.LockDuration(First, earlierLocks, TimeSpan.FromHours(24)));
}
