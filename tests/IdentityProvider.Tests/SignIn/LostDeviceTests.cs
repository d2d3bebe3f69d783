using IdentityProvider.Authentication.Sessions;
using System.Net;
using System.Text.RegularExpressions;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.SignIn;

public sealed class SqliteLostDeviceTests : LostDeviceTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLostDeviceTests(PostgresCluster cluster) : LostDeviceTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>"Lost your device?": the emailed single-use link that, with the password, removes the second factor.</summary>
public abstract partial class LostDeviceTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private const string BobPassword = "bob's own long password";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private string _alice = null!;
    private string _bob = null!;
    private IReadOnlyList<string> _recoveryCodes = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database, _time);
        await using var scope = _factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", DisplayName = "Alice Example", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(alice, Password)).Succeeded);
        _alice = alice.Id;
        var bob = new ApplicationUser { UserName = "bob", Email = "bob@example.com", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(bob, BobPassword)).Succeeded);
        _bob = bob.Id;
        var admin = new ApplicationUser { UserName = "root", Email = "root@example.com", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(admin)).Succeeded);
        await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole(Roles.Administrator));
        Assert.True((await users.AddToRoleAsync(admin, Roles.Administrator)).Succeeded);

        var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
        var enrolment = await totp.BeginEnrolmentAsync(_alice, "alice@example.com", CancellationToken.None);
        Assert.True(await totp.ActivateAsync(_alice, Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), _time.GetUtcNow()), CancellationToken.None));
        _recoveryCodes = await scope.ServiceProvider.GetRequiredService<RecoveryCodeService>().GenerateAsync(_alice, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private HttpClient NewBrowser() =>
        _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });

    private async Task<(HtmlPage Form, HttpResponseMessage Answer)> RequestLinkAsync(string login)
    {
        using var browser = NewBrowser();
        var form = await browser.GetPageAsync(LostDeviceModel.Path);
        return (form, await browser.SubmitAsync(form, new Dictionary<string, string> { ["Login"] = login }));
    }

    private Task<List<EmailOutboxMessage>> MailToAsync(string address) =>
        _factory.WithDbAsync(db => db.EmailOutbox.Where(m => m.To == address).OrderBy(m => m.CreatedAt).ToListAsync());

    /// <summary>Asks for a link for alice and reads it from her newest email.</summary>
    private async Task<string> LinkAsync()
    {
        await RequestLinkAsync("alice");
        var mail = (await MailToAsync("alice@example.com")).Last();
        return LinkPattern().Match(mail.TextBody).Value;
    }

    private static async Task<HttpResponseMessage> RecoverAsync(HttpClient browser, string link, string login, string password)
    {
        var page = await browser.GetPageAsync(link);
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["Username"] = login, ["Password"] = password });
    }

    private Task<bool> AliceHasTotpAsync() => _factory.WithDbAsync(db => db.UserTotpSecrets.AnyAsync(s => s.UserId == _alice));

    private Task<int> AuditsAsync(string action, AuditOutcome outcome = AuditOutcome.Success) =>
        _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == action && e.Outcome == outcome));

    [GeneratedRegex(@"http://localhost/account/lost-device/recover\?token=[A-Za-z0-9_-]+")]
    private static partial Regex LinkPattern();

    [Fact]
    public async Task OffersTheLostDevicePage_FromTheCodePage()
    {
        using var browser = NewBrowser();
        await browser.SubmitAsync(await browser.GetPageAsync(LoginModel.Path), new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password });

        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);

        Assert.Equal("Lost your device?", codePage.Document.QuerySelector($"a[href='{LostDeviceModel.Path}']")!.TextContent);
    }

    [Fact]
    public async Task EmailsOneLink_WhenTheAccountUsesTotp()
    {
        var (form, answer) = await RequestLinkAsync("alice@example.com");

        var mail = Assert.Single(await _factory.WithDbAsync(db => db.EmailOutbox.ToListAsync()));
        Assert.NotNull(form.Document.QuerySelector("input[name='__RequestVerificationToken']"));
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        Assert.Equal("alice@example.com", mail.To);
        Assert.Matches(LinkPattern(), mail.TextBody);
        Assert.Matches(LinkPattern(), mail.HtmlBody!);
        Assert.Equal(1, await AuditsAsync("mfa.lost_device_requested"));
        var row = await _factory.WithDbAsync(db => db.LostDeviceLinks.SingleAsync());
        Assert.Equal(_alice, row.UserId);
        Assert.Equal(TimeSpan.FromMinutes(30), row.ExpiresAt - row.CreatedAt);
        Assert.DoesNotContain(LinkPattern().Match(mail.TextBody).Value.Split("token=")[1], row.TokenHash, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData("bob")]
    public async Task AnswersTheSame_AndSendsNothing_WhenTheAccountIsUnknownOrHasNoTotp(string login)
    {
        var (_, expected) = await RequestLinkAsync("alice");
        await _factory.WithDbAsync(db => db.EmailOutbox.ExecuteDeleteAsync());

        var (_, answer) = await RequestLinkAsync(login);
        using var browser = NewBrowser();
        var page = await browser.GetPageAsync(answer.Headers.Location!.OriginalString);

        Assert.Equal(expected.StatusCode, answer.StatusCode);
        Assert.Equal(expected.Headers.Location, answer.Headers.Location);
        Assert.Equal(LostDeviceModel.SentText, page.Document.QuerySelector("#lost-device-sent")!.TextContent);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));
    }

    [Fact]
    public async Task RemovesTheFactor_SignsIn_AndTellsEveryAdministrator_WithTheLinkAndThePassword()
    {
        var link = await LinkAsync();
        using var browser = NewBrowser();

        var answer = await RecoverAsync(browser, link, "alice", Password);
        var security = await browser.GetPageAsync(answer.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        Assert.Equal(SecurityModel.Path, answer.Headers.Location!.OriginalString);
        Assert.Contains(LostDeviceRecoverModel.RecoveredText, security.Text, StringComparison.Ordinal);
        Assert.NotNull(security.Document.QuerySelector("form[action*='StartTotp']"));
        Assert.False(await AliceHasTotpAsync());
        Assert.Equal(0, await _factory.WithDbAsync(db => db.RecoveryCodes.CountAsync()));
        Assert.False(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.TwoFactorEnabled).SingleAsync()));
        Assert.Equal(1, await _factory.WithDbAsync(db => db.UserSessions.CountAsync(s => s.UserId == _alice)));
        var notice = Assert.Single(await MailToAsync("root@example.com"));
        Assert.Contains("Alice Example", notice.Subject, StringComparison.Ordinal);
        Assert.Equal(1, await AuditsAsync("mfa.lost_device_requested"));
        Assert.Equal(1, await AuditsAsync("mfa.lost_device_recovered"));
        Assert.Equal(1, await _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "mfa.disabled" && e.Actor == _alice)));
    }

    [Fact]
    public async Task ShowsOnlyTheForm_WhenTheLinkIsOpened()
    {
        var link = await LinkAsync();
        using var browser = NewBrowser();

        var page = await browser.GetPageAsync(link);

        Assert.NotNull(page.Document.QuerySelector("input[name='__RequestVerificationToken']"));
        Assert.NotNull(page.Document.QuerySelector("#password"));
        Assert.True(await AliceHasTotpAsync());
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    [Fact]
    public async Task RefusesAWrongPassword_WithTheGenericError_AndTheLinkStaysUsable()
    {
        var link = await LinkAsync();
        using var browser = NewBrowser();

        var wrong = await HtmlForms.ReadPageAsync(await RecoverAsync(browser, link, "alice", "not the password"), link);
        var stillHasTotp = await AliceHasTotpAsync();
        var right = await RecoverAsync(browser, link, "alice", Password);

        Assert.Equal(LoginModel.GenericError, wrong.Document.QuerySelector("#recover-error")!.TextContent);
        Assert.True(stillHasTotp);
        Assert.Equal(HttpStatusCode.SeeOther, right.StatusCode);
        Assert.False(await AliceHasTotpAsync());
    }

    [Fact]
    public async Task RefusesTheLink_AfterThirtyMinutes()
    {
        var link = await LinkAsync();
        using var browser = NewBrowser();
        var form = await browser.GetPageAsync(link);
        _time.Advance(TimeSpan.FromMinutes(30));

        var opened = await browser.GetPageAsync(link);
        var posted = await HtmlForms.ReadPageAsync(
            await browser.SubmitAsync(form, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password }), link);

        Assert.Equal(LostDeviceRecoverModel.InvalidLinkText, opened.Document.QuerySelector("#link-invalid")!.TextContent);
        Assert.Equal(LostDeviceRecoverModel.InvalidLinkText, posted.Document.QuerySelector("#link-invalid")!.TextContent);
        Assert.True(await AliceHasTotpAsync());
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    [Fact]
    public async Task RefusesTheLink_TheSecondTime()
    {
        var link = await LinkAsync();
        using (var first = NewBrowser())
        {
            Assert.Equal(HttpStatusCode.SeeOther, (await RecoverAsync(first, link, "alice", Password)).StatusCode);
        }

        using var second = NewBrowser();
        var again = await second.GetPageAsync(link);

        Assert.Equal(LostDeviceRecoverModel.InvalidLinkText, again.Document.QuerySelector("#link-invalid")!.TextContent);
        Assert.Single(await MailToAsync("root@example.com"));
    }

    [Fact]
    public async Task AcceptsTheLinkInTwoParallelBrowsers_ExactlyOnce()
    {
        var link = await LinkAsync();
        using var a = NewBrowser();
        using var b = NewBrowser();
        var formA = await a.GetPageAsync(link);
        var formB = await b.GetPageAsync(link);
        var values = new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = Password };

        var answers = await Task.WhenAll(a.SubmitAsync(formA, values), b.SubmitAsync(formB, values));

        Assert.Single(answers, r => r.StatusCode == HttpStatusCode.SeeOther);
        var refused = await HtmlForms.ReadPageAsync(answers.Single(r => r.StatusCode != HttpStatusCode.SeeOther), link);
        Assert.Equal(LostDeviceRecoverModel.InvalidLinkText, refused.Document.QuerySelector("#link-invalid")!.TextContent);
        Assert.Equal(1, await AuditsAsync("mfa.lost_device_recovered"));
        Assert.Single(await MailToAsync("root@example.com"));
        Assert.Equal(1, await _factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    [Fact]
    public async Task RefusesTheLink_ForAnotherAccount()
    {
        var link = await LinkAsync();
        using var browser = NewBrowser();

        var page = await HtmlForms.ReadPageAsync(await RecoverAsync(browser, link, "bob", BobPassword), link);

        Assert.Equal(LostDeviceRecoverModel.InvalidLinkText, page.Document.QuerySelector("#link-invalid")!.TextContent);
        Assert.True(await AliceHasTotpAsync());
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserSessions.CountAsync()));
        Assert.Null(await _factory.WithDbAsync(db => db.LostDeviceLinks.Select(l => l.UsedAt).SingleAsync()));
    }

    [Theory]
    [InlineData(LostDeviceRecoverModel.Path)]
    [InlineData(LostDeviceRecoverModel.Path + "?token=")]
    [InlineData(LostDeviceRecoverModel.Path + "?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task RefusesAMissingOrUnknownToken(string url)
    {
        await LinkAsync();
        using var browser = NewBrowser();

        var page = await browser.GetPageAsync(url);

        Assert.Equal(LostDeviceRecoverModel.InvalidLinkText, page.Document.QuerySelector("#link-invalid")!.TextContent);
        Assert.Null(page.Document.QuerySelector("#password"));
    }

    [Fact]
    public async Task SendsAtMostOneLinkAMinute_AndANewLinkReplacesTheOldOne()
    {
        var first = await LinkAsync();
        await RequestLinkAsync("alice");
        var withinAMinute = (await MailToAsync("alice@example.com")).Count;
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await LinkAsync();
        using var browser = NewBrowser();

        var old = await browser.GetPageAsync(first);
        var current = await browser.GetPageAsync(second);

        Assert.Equal(1, withinAMinute);
        Assert.Equal(2, (await MailToAsync("alice@example.com")).Count);
        Assert.NotEqual(first, second);
        Assert.NotNull(old.Document.QuerySelector("#link-invalid"));
        Assert.NotNull(current.Document.QuerySelector("#password"));
    }

    [Fact]
    public async Task SendsOneLink_ForParallelRequests()
    {
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => RequestLinkAsync("alice")));

        Assert.Single(await MailToAsync("alice@example.com"));
    }

    [Fact]
    public async Task NeverLogsTheTokenOrThePassword()
    {
        var link = await LinkAsync();
        using var browser = NewBrowser();
        await RecoverAsync(browser, link, "alice", "not the password");
        await RecoverAsync(browser, link, "alice", Password);
        await browser.GetAsync(link);

        var token = link.Split("token=")[1];
        var secrets = new[] { token, Password, "not the password" }.Concat(_recoveryCodes);
        Assert.NotEmpty(_factory.Logs.Lines);
        Assert.DoesNotContain(_factory.Logs.Lines, line => secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
    }
}
