using System.Net;
using IdentityProvider.Account;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>
/// The audit trail at /admin/audit: real events from the sign-in pages and the factor services,
/// filtered by user, action and time, and exported as CSV with the same filter.
/// </summary>
public sealed class AuditConsoleTests : IAsyncLifetime
{
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string Password = "correct horse battery staple";

    /// <summary>A user agent a spreadsheet would run as a formula, with a comma and quotes to quote.</summary>
    private const string HostileUserAgent = "=HYPERLINK(\"http://evil.example\",\"x\"), Mozilla";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private IdentityProviderFactory _factory = null!;
    private string _secret = null!;
    private string _root = null!;
    private string _alice = null!;
    private string _bob = null!;
    private string _helpdesk = null!;

    public async Task InitializeAsync()
    {
        _factory = new IdentityProviderFactory(_database, _time, settings: new Dictionary<string, string>
        {
            ["Administration:RolePermissions:helpdesk:0"] = "users.read",
            // Off by default; on here so the indefinite lock's audit row can be seen.
            ["Lockout:MaxConsecutiveFailures"] = "100",
        });
        await using var scope = _factory.Services.CreateAsyncScope();
        _secret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid"],
        }, "test", CancellationToken.None)).NewSecret!;
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        await roles.CreateAsync(new IdentityRole(Roles.Administrator));
        await roles.CreateAsync(new IdentityRole("helpdesk"));
        _root = await CreateUserAsync(users, "root", Roles.Administrator);
        _alice = await CreateUserAsync(users, "alice", role: null);
        _bob = await CreateUserAsync(users, "bob", role: null);
        _helpdesk = await CreateUserAsync(users, "helen", "helpdesk");
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task Lists_EachStep_WithActorAndTarget()
    {
        await SignInWithPasswordAsync("alice", "wrong");
        await SignInWithPasswordAsync("alice", Password);
        await RequestPasskeyAsync(_alice, actor: _root);
        using var console = await AdminAsync(_root);

        var rows = await RowsAsync(console, $"/admin/audit?user={_alice}");

        Assert.Equal([AuditActions.PasskeyRequested, AuditActions.SignInSucceeded, AuditActions.SignInFailed], rows.Select(r => r.GetAttribute("data-action")));
        var request = rows[0];
        Assert.Equal("root", request.QuerySelector(".actor")!.TextContent.Trim());
        Assert.Contains("alice", request.QuerySelector(".target")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("failure", rows[2].GetAttribute("data-outcome"));
        Assert.Contains("amr: pwd", rows[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_ByUser_AsActorOrTarget()
    {
        await SignInWithPasswordAsync("alice", Password);
        await SignInWithPasswordAsync("bob", Password);
        await RequestPasskeyAsync(_bob, actor: _root);
        using var console = await AdminAsync(_root);

        var bob = await RowsAsync(console, $"/admin/audit?user={_bob}");
        var root = await RowsAsync(console, $"/admin/audit?user={_root}&action={AuditActions.PasskeyRequested}");

        Assert.Equal([AuditActions.PasskeyRequested, AuditActions.SignInSucceeded], bob.Select(r => r.GetAttribute("data-action")));
        Assert.All(bob, r => Assert.True(r.GetAttribute("data-actor") == _bob || r.GetAttribute("data-target") == _bob));
        Assert.Equal(_bob, Assert.Single(root).GetAttribute("data-target"));
    }

    [Fact]
    public async Task Filters_ByExactAction_AndByActionPrefix()
    {
        await SignInWithPasswordAsync("alice", "wrong");
        await SignInWithPasswordAsync("alice", Password);
        await RequestPasskeyAsync(_alice, actor: _root);
        using var console = await AdminAsync(_root);

        var failed = await RowsAsync(console, $"/admin/audit?user={_alice}&action=sign_in.failed");
        var signIns = await RowsAsync(console, $"/admin/audit?user={_alice}&action=sign_in.");
        var passkeys = await RowsAsync(console, $"/admin/audit?user={_alice}&action=passkey.");

        Assert.Equal(AuditActions.SignInFailed, Assert.Single(failed).GetAttribute("data-action"));
        Assert.Equal([AuditActions.SignInSucceeded, AuditActions.SignInFailed], signIns.Select(r => r.GetAttribute("data-action")));
        Assert.Equal(AuditActions.PasskeyRequested, Assert.Single(passkeys).GetAttribute("data-action"));
    }

    [Fact]
    public async Task Filters_ByTime_FromInclusive_ToExclusive()
    {
        await SignInWithPasswordAsync("alice", "first");   // 09:00
        _time.Advance(TimeSpan.FromHours(1));
        await SignInWithPasswordAsync("alice", "second");  // 10:00
        _time.Advance(TimeSpan.FromHours(1));
        await SignInWithPasswordAsync("alice", "third");   // 11:00
        using var console = await AdminAsync(_root);

        var middle = await RowsAsync(console, $"/admin/audit?user={_alice}&from=2026-11-22T10:00&to=2026-11-22T11:00:00Z");
        var fromTen = await RowsAsync(console, $"/admin/audit?user={_alice}&from=2026-11-22T10:00:00Z");
        var wholeDay = await RowsAsync(console, $"/admin/audit?user={_alice}&from=2026-11-22&to=2026-11-22");
        var dayBefore = await RowsAsync(console, $"/admin/audit?user={_alice}&to=2026-11-21");

        Assert.Equal("2026-11-22T10:00:00.0000000Z", Assert.Single(middle).QuerySelector("time")!.GetAttribute("datetime"));
        Assert.Equal(2, fromTen.Count);
        Assert.Equal(3, wholeDay.Count);
        Assert.Empty(dayBefore);
    }

    [Theory]
    [InlineData("from=yesterday")]
    [InlineData("to=22.11.2026")]
    [InlineData("from=2026-11-22T11:00Z&to=2026-11-22T10:00Z")]
    [InlineData("outcome=maybe")]
    public async Task Refuses_AFilterItCannotRead(string query)
    {
        using var console = await AdminAsync(_root);

        var response = await console.GetAsync("/admin/audit?" + query);
        var csv = await console.GetAsync("/admin/audit?handler=Csv&" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await HtmlForms.ReadPageAsync(response, "/admin/audit")).Document.QuerySelector("#audit-filter-error"));
        Assert.Equal(HttpStatusCode.BadRequest, csv.StatusCode);
    }

    [Fact]
    public async Task Exports_TheFilteredRows_AsCsv_QuotedAndWithFormulasNeutralised()
    {
        await SignInWithPasswordAsync("alice", "wrong", HostileUserAgent);
        await SignInWithPasswordAsync("bob", "wrong");
        using var console = await AdminAsync(_root);
        var page = await console.GetPageAsync($"/admin/audit?user={_alice}&action=sign_in.failed");
        var link = page.Document.QuerySelector("#audit-export")!.GetAttribute("href")!;

        var response = await console.GetAsync(link);
        var csv = await response.Content.ReadAsStringAsync();
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("/admin/audit?handler=Csv&", link, StringComparison.Ordinal);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition.FileName!.Trim('"'), StringComparison.Ordinal);
        Assert.Equal("time,actor,action,outcome,target_type,target_id,ip_address,user_agent,details", lines[0]);
        var row = Assert.Single(lines.Skip(1));
        Assert.StartsWith($"2026-11-22T09:00:00.000Z,{_alice},sign_in.failed,failure,user,{_alice},", row, StringComparison.Ordinal);
        // RFC 4180: quoted because of the comma, inner quotes doubled; the leading = made text with an apostrophe.
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\"), Mozilla\",", row, StringComparison.Ordinal);
        Assert.EndsWith(",password: wrong password", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_TheMomentAnAccountLocks_Once()
    {
        for (var i = 0; i < 6; i++)
        {
            await SignInWithPasswordAsync("alice", "wrong " + i);
        }

        using var console = await AdminAsync(_root);
        var rows = await RowsAsync(console, $"/admin/audit?action={AuditActions.AccountLocked}");

        var locked = Assert.Single(rows);
        Assert.Equal(_alice, locked.GetAttribute("data-target"));
        Assert.Equal(AuditActors.System, locked.GetAttribute("data-actor"));
        Assert.Contains("locked until 2026-11-22T09:15:00Z (lock 1 without a complete sign-in)", locked.TextContent, StringComparison.Ordinal);
        Assert.NotNull(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.LockoutEnd).SingleAsync()));
    }

    [Fact]
    public async Task Records_ASecondFactorLockout_AndAnIndefiniteOne()
    {
        var gate = _factory.Services.GetRequiredService<SignInAttemptGate>();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await gate.TryReserveAsync(_alice, SignInFactor.SecondFactor, CancellationToken.None));
            await gate.RecordFailureAsync(_alice, SignInFactor.SecondFactor, CancellationToken.None);
        }

        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            // 100 failed sign-ins in a row, as if spread over many lockout periods.
            var db = scope.ServiceProvider.GetRequiredService<IdentityProvider.Persistence.IdentityProviderDbContext>();
            await db.Users.Where(u => u.Id == _bob).ExecuteUpdateAsync(set => set.SetProperty(u => u.ConsecutiveFailedSignIns, 99));
        }

        Assert.True(await gate.TryReserveAsync(_bob, SignInFactor.Password, CancellationToken.None));
        await gate.RecordFailureAsync(_bob, SignInFactor.Password, CancellationToken.None);
        using var console = await AdminAsync(_root);
        var alice = Assert.Single(await RowsAsync(console, $"/admin/audit?user={_alice}&action={AuditActions.AccountLocked}"));
        var bob = Assert.Single(await RowsAsync(console, $"/admin/audit?user={_bob}&action={AuditActions.AccountLocked}"));

        Assert.Contains("second-factor", alice.TextContent, StringComparison.Ordinal);
        Assert.Contains("until an administrator unlocks", bob.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_AWrongCode_GivenToChangeASecondFactor()
    {
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<SecuritySettings>().RegenerateRecoveryCodesAsync(_alice, "000000", CancellationToken.None));
        }

        using var console = await AdminAsync(_root);
        var row = Assert.Single(await RowsAsync(console, $"/admin/audit?user={_alice}&outcome=failure"));

        Assert.Equal((AuditActions.SecondFactorProofFailed, _alice), (row.GetAttribute("data-action"), row.GetAttribute("data-target")));
    }

    [Fact]
    public async Task Records_TheSigningKeysTheScheduleAdds()
    {
        using var console = await AdminAsync(_root);

        var rows = await RowsAsync(console, "/admin/audit?action=signing_key.");

        Assert.Equal(2, rows.Count); // the first RS256 and ES256 keys, added at start-up
        Assert.All(rows, r => Assert.Equal((AuditActions.SigningKeyAdded, AuditActors.System), (r.GetAttribute("data-action"), r.GetAttribute("data-actor"))));
        Assert.Contains(rows, r => r.TextContent.Contains("RS256, by schedule", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refuses_AnAdministratorWithoutAuditRead()
    {
        using var helpdesk = await AdminAsync(_helpdesk);

        var page = await helpdesk.GetAsync("/admin/audit");
        var csv = await helpdesk.GetAsync("/admin/audit?handler=Csv");

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, csv.StatusCode);
        Assert.DoesNotContain("audit-events", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await helpdesk.GetAsync("/admin")).StatusCode);
    }

    [Fact]
    public async Task Pages_NewestFirst_KeepingTheFilter()
    {
        for (var i = 0; i < 51; i++)
        {
            await RequestPasskeyAsync(_alice, actor: _root, cancelAfter: true);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        using var console = await AdminAsync(_root);
        var first = await console.GetPageAsync($"/admin/audit?action={AuditActions.PasskeyRequested}");
        var older = first.Document.QuerySelector("#audit-older")!.GetAttribute("href")!;
        var second = await console.GetPageAsync(older);

        Assert.Equal(50, first.Document.QuerySelectorAll("#audit-events tbody tr").Length);
        Assert.Contains($"action={AuditActions.PasskeyRequested}", older, StringComparison.Ordinal);
        var last = Assert.Single(second.Document.QuerySelectorAll("#audit-events tbody tr"));
        Assert.Equal("2026-11-22T09:00:00.0000000Z", last.QuerySelector("time")!.GetAttribute("datetime"));
        Assert.Null(second.Document.QuerySelector("#audit-older"));
        Assert.NotNull(second.Document.QuerySelector("#audit-newer"));
    }

    private async Task<string> CreateUserAsync(UserManager<ApplicationUser> users, string name, string? role)
    {
        var user = new ApplicationUser { UserName = name, Email = name + "@example.com", CreatedAt = _time.GetUtcNow() };
        Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        if (role is not null)
        {
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        }

        return user.Id;
    }

    private HttpClient NewBrowser() =>
        _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });

    /// <summary>A console session that proved two factors (through the test login, which writes no audit rows).</summary>
    private async Task<HttpClient> AdminAsync(string userId)
    {
        var browser = NewBrowser();
        await new CodeFlow(browser, "crm", Redirect, _secret).SignInAsync(userId, "openid", "pwd otp mfa");
        return browser;
    }

    /// <summary>The real login page, so the rows are the ones a real sign-in writes.</summary>
    private async Task SignInWithPasswordAsync(string username, string password, string? userAgent = null)
    {
        using var browser = NewBrowser();
        if (userAgent is not null)
        {
            Assert.True(browser.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent));
        }

        var login = await browser.GetPageAsync(LoginModel.Path);
        await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = username, ["Password"] = password });
    }

    private async Task RequestPasskeyAsync(string userId, string actor, bool cancelAfter = false)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var requests = scope.ServiceProvider.GetRequiredService<PasskeyRequests>();
        await requests.RequestAsync(userId, actor, CancellationToken.None);
        if (cancelAfter)
        {
            await requests.CancelAsync(userId, actor, CancellationToken.None);
        }
    }

    private static async Task<List<AngleSharp.Dom.IElement>> RowsAsync(HttpClient console, string url)
    {
        var page = await console.GetPageAsync(url);
        Assert.NotNull(page.Document.QuerySelector("#audit-filter"));
        return [.. page.Document.QuerySelectorAll("#audit-events tbody tr")];
    }
}
