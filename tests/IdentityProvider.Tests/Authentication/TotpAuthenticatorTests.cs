using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Authentication;

public sealed class SqliteTotpAuthenticatorTests : TotpAuthenticatorTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresTotpAuthenticatorTests(PostgresCluster cluster) : TotpAuthenticatorTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>TOTP enrolment, activation and verification on the real database, with a fixed clock.</summary>
public abstract class TotpAuthenticatorTests : IAsyncLifetime
{
    // Ten seconds into a time step, so ±1 step is unambiguous.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private string _aliceId = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database, _time);
        await using var scope = _factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", EmailConfirmed = true };
        Assert.True((await users.CreateAsync(alice)).Succeeded);
        _aliceId = alice.Id;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task Activates_WhenTheFirstCodeIsCorrect()
    {
        var enrolment = await WithTotpAsync(t => t.BeginEnrolmentAsync(_aliceId, "alice@example.com", default));
        Assert.False(await WithTotpAsync(t => t.IsEnabledAsync(_aliceId, default)));

        Assert.True(await WithTotpAsync(t => t.ActivateAsync(_aliceId, CodeAt(enrolment, 0), default)));

        Assert.True(await WithTotpAsync(t => t.IsEnabledAsync(_aliceId, default)));
        Assert.True(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _aliceId).Select(u => u.TwoFactorEnabled).SingleAsync()));
        var audit = await _factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.TotpEnabled));
        Assert.Equal(_aliceId, audit.Actor);
        Assert.Equal(_aliceId, audit.TargetId);
    }

    [Fact]
    public async Task Enrolment_OffersTheKeyUriAndQrCode_AndStoresTheSecretProtected()
    {
        var enrolment = await WithTotpAsync(t => t.BeginEnrolmentAsync(_aliceId, "alice@example.com", default));

        Assert.Equal(32, enrolment.Secret.Length); // 20 bytes, base32
        Assert.Equal(20, Base32.Decode(enrolment.Secret).Length);
        Assert.Equal(enrolment.Secret, enrolment.GroupedSecret.Replace(" ", ""));
        Assert.Equal(8, enrolment.GroupedSecret.Split(' ').Length);
        Assert.Equal(
            $"otpauth://totp/Identity%20Provider:alice%40example.com?secret={enrolment.Secret}&issuer=Identity%20Provider&algorithm=SHA1&digits=6&period=30",
            enrolment.OtpAuthUri);
        Assert.StartsWith("<svg", enrolment.QrCodeSvg.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("viewBox", enrolment.QrCodeSvg, StringComparison.Ordinal);
        var stored = await _factory.WithDbAsync(db => db.UserTotpSecrets.SingleAsync());
        Assert.DoesNotContain(enrolment.Secret, stored.ProtectedSecret, StringComparison.OrdinalIgnoreCase);
        Assert.Null(stored.ActivatedAt);
    }

    [Fact]
    public async Task DoesNotActivate_WhenTheCodeIsWrong()
    {
        var enrolment = await WithTotpAsync(t => t.BeginEnrolmentAsync(_aliceId, "alice@example.com", default));
        var wrong = CodeAt(enrolment, 0) == "000000" ? "111111" : "000000";

        Assert.False(await WithTotpAsync(t => t.ActivateAsync(_aliceId, wrong, default)));
        Assert.False(await WithTotpAsync(t => t.ActivateAsync(_aliceId, "12345", default)));

        Assert.False(await WithTotpAsync(t => t.IsEnabledAsync(_aliceId, default)));
        Assert.False(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _aliceId).Select(u => u.TwoFactorEnabled).SingleAsync()));
        Assert.Equal(TotpVerification.NotEnrolled, await WithTotpAsync(t => t.VerifyAsync(_aliceId, CodeAt(enrolment, 0), default)));
    }

    [Fact]
    public async Task DoesNotActivate_WithTheCodeOfAReplacedEnrolment()
    {
        var first = await WithTotpAsync(t => t.BeginEnrolmentAsync(_aliceId, "alice@example.com", default));
        var second = await WithTotpAsync(t => t.BeginEnrolmentAsync(_aliceId, "alice@example.com", default));

        Assert.NotEqual(first.Secret, second.Secret);
        Assert.False(await WithTotpAsync(t => t.ActivateAsync(_aliceId, CodeAt(first, 0), default)));
        Assert.True(await WithTotpAsync(t => t.ActivateAsync(_aliceId, CodeAt(second, 0), default)));
    }

    [Fact]
    public async Task Replayed_WhenACodeIsUsedTwice()
    {
        var enrolment = await EnrolAndActivateAsync();
        _time.Advance(TimeSpan.FromSeconds(30));
        var code = CodeAt(enrolment, 0);

        Assert.Equal(TotpVerification.Valid, await VerifyAsync(code));
        Assert.Equal(TotpVerification.Replayed, await VerifyAsync(code));
    }

    [Fact]
    public async Task Replayed_WhenTheActivationCodeIsUsedToSignIn()
    {
        var enrolment = await EnrolAndActivateAsync();

        Assert.Equal(TotpVerification.Replayed, await VerifyAsync(CodeAt(enrolment, 0)));
    }

    [Fact]
    public async Task Refuses_AnOlderStep_AfterANewerOne()
    {
        var enrolment = await EnrolAndActivateAsync();
        _time.Advance(TimeSpan.FromSeconds(90));

        Assert.Equal(TotpVerification.Valid, await VerifyAsync(CodeAt(enrolment, +1)));
        Assert.Equal(TotpVerification.Replayed, await VerifyAsync(CodeAt(enrolment, 0)));
        Assert.Equal(TotpVerification.Replayed, await VerifyAsync(CodeAt(enrolment, -1)));
    }

    [Fact]
    public async Task AcceptsExactlyOne_OfTwentyParallelUsesOfOneCode()
    {
        var enrolment = await EnrolAndActivateAsync();
        _time.Advance(TimeSpan.FromSeconds(30));
        var code = CodeAt(enrolment, 0);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => VerifyAsync(code))));

        Assert.Single(results, r => r == TotpVerification.Valid);
        Assert.All(results.Where(r => r != TotpVerification.Valid), r => Assert.Equal(TotpVerification.Replayed, r));
    }

    [Fact]
    public async Task Accepts_OneStepEitherSide_AndRefusesTwo()
    {
        var enrolment = await EnrolAndActivateAsync();
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(TotpVerification.Invalid, await VerifyAsync(CodeAt(enrolment, -2)));
        Assert.Equal(TotpVerification.Invalid, await VerifyAsync(CodeAt(enrolment, +2)));
        Assert.Equal(TotpVerification.Valid, await VerifyAsync(CodeAt(enrolment, -1)));
        Assert.Equal(TotpVerification.Valid, await VerifyAsync(CodeAt(enrolment, +1)));
    }

    [Fact]
    public async Task Accepts_CodesWithASpace_AndRefusesNonDigits()
    {
        var enrolment = await EnrolAndActivateAsync();
        _time.Advance(TimeSpan.FromSeconds(30));
        var code = CodeAt(enrolment, 0);

        Assert.Equal(TotpVerification.Invalid, await VerifyAsync("abcdef"));
        Assert.Equal(TotpVerification.Invalid, await VerifyAsync(code + "0"));
        Assert.Equal(TotpVerification.Valid, await VerifyAsync(code[..3] + " " + code[3..]));
    }

    [Fact]
    public async Task IdentitysAuthenticatorProvider_IsOurs_AndRefusesReplays()
    {
        var enrolment = await EnrolAndActivateAsync();
        _time.Advance(TimeSpan.FromSeconds(30));
        var code = CodeAt(enrolment, 0);
        await using var scope = _factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var provider = scope.ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>().Value.Tokens.AuthenticatorTokenProvider;
        var alice = (await users.FindByIdAsync(_aliceId))!;

        Assert.Equal(TotpTokenProvider.ProviderName, provider);
        Assert.Contains(provider, await users.GetValidTwoFactorProvidersAsync(alice));
        Assert.True(await users.VerifyTwoFactorTokenAsync(alice, provider, code));
        Assert.False(await users.VerifyTwoFactorTokenAsync(alice, provider, code));
    }

    [Fact]
    public async Task Disable_RemovesTheSecretAndRecoveryCodes_AndIsAudited()
    {
        var enrolment = await EnrolAndActivateAsync();
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IdentityProvider.Authentication.RecoveryCodes.RecoveryCodeService>().GenerateAsync(_aliceId, default);
        }

        await WithTotpAsync(async t => { await t.DisableAsync(_aliceId, "admin-1", default); return true; });

        Assert.False(await WithTotpAsync(t => t.IsEnabledAsync(_aliceId, default)));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserTotpSecrets.CountAsync()));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.RecoveryCodes.CountAsync()));
        Assert.False(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _aliceId).Select(u => u.TwoFactorEnabled).SingleAsync()));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TotpVerification.NotEnrolled, await VerifyAsync(CodeAt(enrolment, 0)));
        var audit = await _factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.MfaDisabled));
        Assert.Equal("admin-1", audit.Actor);
        Assert.Equal(_aliceId, audit.TargetId);
    }

    [Fact]
    public async Task NeverLogs_TheSecretOrACode()
    {
        var enrolment = await EnrolAndActivateAsync();
        _time.Advance(TimeSpan.FromSeconds(30));
        var code = CodeAt(enrolment, 0);
        await VerifyAsync(code);
        await VerifyAsync(code);
        await VerifyAsync("000000");

        var secrets = new[] { enrolment.Secret, enrolment.GroupedSecret, code, CodeAt(enrolment, -1) };
        Assert.Contains(_factory.Logs.Lines, line => line.Contains("already used", StringComparison.Ordinal));
        Assert.DoesNotContain(_factory.Logs.Lines, line => secrets.Any(s => line.Contains(s, StringComparison.OrdinalIgnoreCase)));
    }

    private async Task<TotpEnrolment> EnrolAndActivateAsync()
    {
        var enrolment = await WithTotpAsync(t => t.BeginEnrolmentAsync(_aliceId, "alice@example.com", default));
        Assert.True(await WithTotpAsync(t => t.ActivateAsync(_aliceId, CodeAt(enrolment, 0), default)));
        return enrolment;
    }

    /// <summary>What the user's app shows now, or <paramref name="steps"/> steps from now.</summary>
    private string CodeAt(TotpEnrolment enrolment, int steps) =>
        Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), Rfc6238.TimeStep(_time.GetUtcNow()) + steps);

    private Task<TotpVerification> VerifyAsync(string code) => WithTotpAsync(t => t.VerifyAsync(_aliceId, code, default));

    // A scope per call, as each HTTP request has its own.
    private async Task<T> WithTotpAsync<T>(Func<TotpAuthenticator, Task<T>> action)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TotpAuthenticator>());
    }
}
