using System.Net;
using System.Text.RegularExpressions;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteUserAccountsApiTests : UserAccountsApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

/// <summary>The serializable guard, the unique sign-in name and the link's conditional update, in PostgreSQL too.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresUserAccountsApiTests(PostgresCluster cluster) : UserAccountsApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>Creating, editing, disabling and enabling users and emailing password resets through <c>/admin/api/users</c>.</summary>
public abstract partial class UserAccountsApiTests : IAsyncLifetime
{
    private const string NewPassword = "a brand new passphrase";

    private AdminApiHost _host = null!;
    private string _manager = null!;

    public async Task InitializeAsync()
    {
        _host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        _manager = await _host.ClientTokenAsync("manager");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task Creates_AUser_WhoseInvitationLinkSetsThePassword_AndWhoThenSignsIn()
    {
        var organisation = await CodeFlow.JsonAsync(await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/organisations",
            await _host.ClientTokenAsync("policy"), new { name = "Sales" }));

        var response = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/users", _manager, new
        {
            email = "carol@example.com", displayName = "Carol Example", organisationId = organisation.GetProperty("id").GetString(),
            roles = new[] { Roles.Administrator }, mfaRequired = true,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var user = await CodeFlow.JsonAsync(response);
        var id = user.GetProperty("id").GetString()!;
        Assert.Equal($"/admin/api/users/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal("Carol Example", user.GetProperty("name").GetString());
        Assert.Equal("Sales", user.GetProperty("organisation").GetString());
        Assert.Equal([Roles.Administrator], user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(user.GetProperty("mfaRequired").GetBoolean());
        Assert.Null(await _host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.PasswordHash).SingleAsync()));
        var mail = Assert.Single(await _host.Factory.WithDbAsync(db => db.EmailOutbox.Where(m => m.To == "carol@example.com").ToListAsync()));
        Assert.Contains("within 72 hours to", mail.TextBody, StringComparison.Ordinal);

        using var browser = _host.Factory.CreateBrowserlessClient();
        var set = await SetPasswordAsync(browser, LinkIn(mail.TextBody), NewPassword);

        Assert.NotNull(set.Document.QuerySelector("#password-set"));
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(browser, "carol@example.com", NewPassword)).StatusCode);
        Assert.True(await AuditedAsync(AuditActions.UserCreated, "client:manager", id));
        Assert.True(await AuditedAsync(AuditActions.UserPasswordResetRequested, "client:manager", id));
        Assert.True(await AuditedAsync(AuditActions.UserPasswordReset, id, id));
    }

    [Fact]
    public async Task Rejects_ADuplicateEmail_WithAFieldError_AndCreatesNothing()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/users", _manager, new { email = "ALICE@example.com", roles = Array.Empty<string>() });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("A user with this email address already exists.", problem.GetProperty("errors").GetProperty("email")[0].GetString());
        Assert.Equal(2, await _host.Factory.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Equal(0, await _host.Factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));
    }

    [Theory]
    [InlineData("not an address", null, "email")]
    [InlineData("", null, "email")]
    [InlineData("dave@example.com", "no-such-role", "roles")]
    public async Task Rejects_InvalidInput_FieldByField(string email, string? role, string field)
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/users", _manager,
            new { email, roles = role is null ? Array.Empty<string>() : [role] });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(2, await _host.Factory.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Updates_TheEmailAndRoles_AndRenewsTheSecurityStamp()
    {
        await CreateRoleAsync("helpdesk");
        await _host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == _host.AliceId).ExecuteUpdateAsync(set => set.SetProperty(u => u.EmailConfirmed, true)));
        var stamp = await StampAsync(_host.AliceId);

        var response = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.AliceId}", _manager,
            new { email = "alice@new.example.com", displayName = "Alice Example", roles = new[] { "helpdesk" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = await CodeFlow.JsonAsync(response);
        Assert.Equal("alice@new.example.com", user.GetProperty("email").GetString());
        Assert.False(user.GetProperty("emailConfirmed").GetBoolean());
        Assert.Equal(["helpdesk"], user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("Alice Example", user.GetProperty("name").GetString());
        Assert.NotEqual(stamp, await StampAsync(_host.AliceId));
        Assert.True(await AuditedAsync(AuditActions.UserUpdated, "client:manager", _host.AliceId));
    }

    [Fact]
    public async Task Refuses_RemovingTheLastAdministratorsRole()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.RootId}", _manager,
            new { email = "root@example.com", roles = Array.Empty<string>() });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("last enabled administrator", problem.GetProperty("errors").GetProperty("roles")[0].GetString(), StringComparison.Ordinal);
        Assert.True(await IsAdministratorAsync(_host.RootId));
    }

    [Fact]
    public async Task Refuses_DisablingTheLastAdministrator_OrOneself()
    {
        var last = await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.RootId}/disable", _manager);
        var self = await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.RootId}/disable", await _host.UserTokenAsync(_host.RootId));

        Assert.Equal("Last administrator", (await Problems.AssertAsync(last, HttpStatusCode.Conflict)).GetProperty("title").GetString());
        Assert.Equal("Cannot disable yourself", (await Problems.AssertAsync(self, HttpStatusCode.Conflict)).GetProperty("title").GetString());
        Assert.Null(await _host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == _host.RootId).Select(u => u.DisabledAt).SingleAsync()));
    }

    [Fact]
    public async Task Disables_AUser_WhoThenCannotSignIn_AndEnables_ThemAgain()
    {
        await AddPasswordAsync(_host.AliceId, NewPassword);
        using var browser = _host.Factory.CreateBrowserlessClient();

        var disabled = await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.AliceId}/disable", _manager);
        var refused = await SignInAsync(browser, "alice", NewPassword);
        var listed = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, "/admin/api/users?disabled=true", _manager));

        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(LoginModel.GenericError, (await HtmlForms.ReadPageAsync(refused, LoginModel.Path)).Document.QuerySelector("#login-error")!.TextContent);
        Assert.Equal([_host.AliceId], listed.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
        Assert.True(listed.GetProperty("users")[0].GetProperty("disabled").GetBoolean());
        Assert.True(await AuditedAsync(AuditActions.UserDisabled, "client:manager", _host.AliceId));

        var enabled = await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.AliceId}/enable", _manager);

        Assert.Equal(HttpStatusCode.NoContent, enabled.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(browser, "alice", NewPassword)).StatusCode);
        Assert.True(await AuditedAsync(AuditActions.UserEnabled, "client:manager", _host.AliceId));
    }

    [Fact]
    public async Task EmailsAResetLink_ThatWorksOnce()
    {
        var response = await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.AliceId}/password-reset", _manager);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var mail = Assert.Single(await _host.Factory.WithDbAsync(db => db.EmailOutbox.ToListAsync()));
        Assert.Equal("alice@example.com", mail.To);
        Assert.Contains("within 1 hour and", mail.TextBody, StringComparison.Ordinal);
        var link = LinkIn(mail.TextBody);
        using var browser = _host.Factory.CreateBrowserlessClient();
        var page = await browser.GetPageAsync(link);
        var first = await browser.SubmitAsync(page, new Dictionary<string, string> { ["Password"] = NewPassword, ["ConfirmPassword"] = NewPassword });
        var second = await browser.SubmitAsync(page, new Dictionary<string, string> { ["Password"] = "yet another passphrase", ["ConfirmPassword"] = "yet another passphrase" });

        Assert.NotNull((await HtmlForms.ReadPageAsync(first, link)).Document.QuerySelector("#password-set"));
        Assert.NotNull((await HtmlForms.ReadPageAsync(second, link)).Document.QuerySelector("#link-invalid"));
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(browser, "alice", NewPassword)).StatusCode);
        Assert.True(await AuditedAsync(AuditActions.UserPasswordResetRequested, "client:manager", _host.AliceId));
    }

    [Fact]
    public async Task ASecondReset_ReplacesTheFirstLink()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.AliceId}/password-reset", _manager)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.AliceId}/password-reset", _manager)).StatusCode);

        var links = (await _host.Factory.WithDbAsync(db => db.EmailOutbox.ToListAsync())).Select(m => LinkIn(m.TextBody)).ToList();
        Assert.Equal(2, links.Distinct().Count());
        using var browser = _host.Factory.CreateBrowserlessClient();
        var usable = new List<string>();
        foreach (var link in links)
        {
            var page = await browser.GetPageAsync(link);
            if (page.Document.QuerySelector("#link-invalid") is null)
            {
                usable.Add(link);
            }
        }

        // Only the newer link works: the first stopped working when the second was issued.
        var live = Assert.Single(usable);
        var answer = await browser.SubmitAsync(await browser.GetPageAsync(live), new Dictionary<string, string> { ["Password"] = NewPassword, ["ConfirmPassword"] = NewPassword });
        Assert.NotNull((await HtmlForms.ReadPageAsync(answer, live)).Document.QuerySelector("#password-set"));
        Assert.Equal(1, await _host.Factory.WithDbAsync(db => db.PasswordResetLinks.CountAsync(l => l.UserId == _host.AliceId)));
    }

    [Fact]
    public async Task UsesALink_ExactlyOnce_WhenTwoBrowsersRace()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.AliceId}/password-reset", _manager)).StatusCode);
        var link = LinkIn(Assert.Single(await _host.Factory.WithDbAsync(db => db.EmailOutbox.ToListAsync())).TextBody);
        using var a = _host.Factory.CreateBrowserlessClient();
        using var b = _host.Factory.CreateBrowserlessClient();
        var (pageA, pageB) = (await a.GetPageAsync(link), await b.GetPageAsync(link));

        var answers = await Task.WhenAll(
            a.SubmitAsync(pageA, new Dictionary<string, string> { ["Password"] = NewPassword, ["ConfirmPassword"] = NewPassword }),
            b.SubmitAsync(pageB, new Dictionary<string, string> { ["Password"] = NewPassword + "!", ["ConfirmPassword"] = NewPassword + "!" }));

        var set = 0;
        foreach (var answer in answers)
        {
            set += (await HtmlForms.ReadPageAsync(answer, link)).Document.QuerySelector("#password-set") is null ? 0 : 1;
        }

        Assert.Equal(1, set);
        Assert.Equal(1, await _host.Factory.WithDbAsync(db => db.AuditEvents.CountAsync(
            e => e.Action == AuditActions.UserPasswordReset && e.Outcome == AuditOutcome.Success)));
    }

    [Fact]
    public async Task Refuses_EveryChange_WithoutUsersManage_AndChangesNothing()
    {
        var @operator = await _host.ClientTokenAsync("operator");

        var create = await _host.SendJsonAsync(HttpMethod.Post, "/admin/api/users", @operator, new { email = "eve@example.com" });
        var update = await _host.SendJsonAsync(HttpMethod.Put, $"/admin/api/users/{_host.AliceId}", @operator, new { email = "eve@example.com", roles = Array.Empty<string>() });
        var disable = await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.AliceId}/disable", @operator);
        var reset = await _host.SendAsync(HttpMethod.Post, $"/admin/api/users/{_host.AliceId}/password-reset", @operator);

        foreach (var response in new[] { create, update, disable, reset })
        {
            Assert.Contains("users.manage", (await Problems.AssertAsync(response, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(2, await _host.Factory.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Equal("alice@example.com", await _host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == _host.AliceId).Select(u => u.Email).SingleAsync()));
        Assert.Null(await _host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == _host.AliceId).Select(u => u.DisabledAt).SingleAsync()));
        Assert.Equal(0, await _host.Factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));
    }

    [Fact]
    public async Task Answers404_ForAnUnknownUser()
    {
        var update = await _host.SendJsonAsync(HttpMethod.Put, "/admin/api/users/nobody", _manager, new { email = "nobody@example.com", roles = Array.Empty<string>() });
        var disable = await _host.SendAsync(HttpMethod.Post, "/admin/api/users/nobody/disable", _manager);
        var enable = await _host.SendAsync(HttpMethod.Post, "/admin/api/users/nobody/enable", _manager);
        var reset = await _host.SendAsync(HttpMethod.Post, "/admin/api/users/nobody/password-reset", _manager);

        foreach (var response in new[] { update, disable, enable, reset })
        {
            Assert.Equal("Unknown user", (await Problems.AssertAsync(response, HttpStatusCode.NotFound)).GetProperty("title").GetString());
        }
    }

    internal static string LinkIn(string body) =>
        new Uri(LinkPattern().Match(body) is { Success: true } match ? match.Value : throw new InvalidOperationException("no link in: " + body)).PathAndQuery;

    internal static async Task<HtmlPage> SetPasswordAsync(HttpClient browser, string link, string password)
    {
        var page = await browser.GetPageAsync(link);
        return await HtmlForms.ReadPageAsync(
            await browser.SubmitAsync(page, new Dictionary<string, string> { ["Password"] = password, ["ConfirmPassword"] = password }), link);
    }

    /// <summary>The hosted login page's password step: 303 onwards when it succeeds, the page again (200) when it does not.</summary>
    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string login, string password) =>
        await browser.SubmitAsync(await browser.GetPageAsync(LoginModel.Path), new Dictionary<string, string> { ["Username"] = login, ["Password"] = password });

    private async Task AddPasswordAsync(string userId, string password)
    {
        await using var scope = _host.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.True((await users.AddPasswordAsync((await users.FindByIdAsync(userId))!, password)).Succeeded);
    }

    private async Task CreateRoleAsync(string name)
    {
        await using var scope = _host.Factory.Services.CreateAsyncScope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole(name))).Succeeded);
    }

    private async Task<bool> IsAdministratorAsync(string userId)
    {
        await using var scope = _host.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.IsInRoleAsync((await users.FindByIdAsync(userId))!, Roles.Administrator);
    }

    private Task<string?> StampAsync(string userId) =>
        _host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleAsync());

    private Task<bool> AuditedAsync(string action, string actor, string target) =>
        _host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == action && e.Actor == actor && e.TargetType == "user" && e.TargetId == target));

    [GeneratedRegex(@"http://localhost/account/password/reset\?token=[A-Za-z0-9_-]+")]
    private static partial Regex LinkPattern();
}
