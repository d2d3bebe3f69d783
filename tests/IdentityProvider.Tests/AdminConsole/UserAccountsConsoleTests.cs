using System.Net;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Admin.Users;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Pages.Account;
using IdentityProvider.Pages.Admin.Users;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.AdminApi;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>
/// Creating, editing, disabling and enabling users and emailing password resets in the console,
/// and what each does to the user's sign-in, sessions and refresh tokens.
/// </summary>
public sealed class UserAccountsConsoleTests : IAsyncLifetime
{
    private const string NewPassword = "a brand new passphrase";

    private ConsoleHost _host = null!;

    /// <summary>Holds users.read and users.manage, but is no administrator.</summary>
    private string _manager = null!;

    /// <summary>An administrator of factors (users.read, users.manage_factors) without users.manage.</summary>
    private string _support = null!;

    public async Task InitializeAsync()
    {
        _host = await ConsoleHost.StartAsync(new Dictionary<string, string>
        {
            ["Administration:RolePermissions:manager:0"] = "users.read",
            ["Administration:RolePermissions:manager:1"] = "users.manage",
            ["Administration:RolePermissions:support:0"] = "users.read",
            ["Administration:RolePermissions:support:1"] = "users.manage_factors",
        });
        _manager = await AddUserAsync("manager", "manager");
        _support = await AddUserAsync("support", "support");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Creates_AUser_WhoseInvitationLinkSetsThePassword_AndWhoThenSignsIn()
    {
        using var console = await _host.SignedInAsync(_host.RootId);

        var created = await console.PostFormAsync(await console.GetPageAsync("/admin/users/new"), "#user-form",
            ("Form.Email", "carol@example.com"), ("Form.DisplayName", "Carol Example"), ("Form.Roles", "support"), ("Form.MfaRequired", "true"));

        Assert.Equal(HttpStatusCode.SeeOther, created.StatusCode);
        var carol = await _host.Factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == "carol@example.com"));
        Assert.Equal("/admin/users/" + carol.Id, created.Headers.Location!.OriginalString);
        Assert.True(carol.MfaRequired);
        Assert.Null(carol.PasswordHash);
        var detail = await console.GetPageAsync(created.Headers.Location!.OriginalString);
        Assert.Equal(NewModel.Created, detail.Document.QuerySelector("#admin-message")!.TextContent);
        Assert.Equal("support", detail.Document.QuerySelector("[data-field='roles']")!.TextContent);
        var mail = Assert.Single(await _host.Factory.WithDbAsync(db => db.EmailOutbox.Where(m => m.To == "carol@example.com").ToListAsync()));

        using var browser = _host.NewBrowser();
        Assert.NotNull((await UserAccountsApiTests.SetPasswordAsync(browser, UserAccountsApiTests.LinkIn(mail.TextBody), NewPassword)).Document.QuerySelector("#password-set"));
        Assert.Equal(HttpStatusCode.SeeOther, (await UserAccountsApiTests.SignInAsync(browser, "carol@example.com", NewPassword)).StatusCode);
        Assert.True(await AuditedAsync(AuditActions.UserCreated, _host.RootId, carol.Id));
    }

    [Fact]
    public async Task Rejects_ADuplicateEmail_NextToTheField_AndCreatesNothing()
    {
        using var console = await _host.SignedInAsync(_host.RootId);

        var answer = await console.PostFormAsync(await console.GetPageAsync("/admin/users/new"), "#user-form", ("Form.Email", "Alice@Example.com"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var page = await HtmlForms.ReadPageAsync(answer, "/admin/users/new");
        Assert.Equal(UserAccountChanges.DuplicateEmail, page.Document.QuerySelector("[data-error-for='email']")!.TextContent);
        Assert.Equal("Alice@Example.com", page.Document.QuerySelector("#user-email")!.GetAttribute("value"));
        Assert.Equal(4, await _host.Factory.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Equal(0, await _host.Factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));
    }

    [Fact]
    public async Task Edits_TheEmailAndRoles()
    {
        using var console = await _host.SignedInAsync(_host.RootId);

        var saved = await console.PostFormAsync(await console.GetPageAsync($"/admin/users/{_host.AliceId}/edit"), "#user-form",
            ("Form.Email", "alice@new.example.com"), ("Form.DisplayName", "Alice Example"), ("Form.Roles", "support"));

        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        var detail = await console.GetPageAsync($"/admin/users/{_host.AliceId}");
        Assert.Equal("alice@new.example.com", detail.Document.QuerySelectorAll("#user-profile dd")[1].TextContent);
        Assert.Equal("support", detail.Document.QuerySelector("[data-field='roles']")!.TextContent);
        Assert.True(await AuditedAsync(AuditActions.UserUpdated, _host.RootId, _host.AliceId));
    }

    [Fact]
    public async Task Refuses_RemovingTheLastAdministratorsRole_AndDisablingOneself_OrTheLastAdministrator()
    {
        using var root = await _host.SignedInAsync(_host.RootId);
        using var manager = await _host.SignedInAsync(_manager);

        var unrole = await root.PostFormAsync(await root.GetPageAsync($"/admin/users/{_host.RootId}/edit"), "#user-form", ("Form.Email", "root@example.com"));
        var self = await root.PostFormAsync(await root.GetPageAsync($"/admin/users/{_host.RootId}"), "#disable-form");
        var last = await manager.PostFormAsync(await manager.GetPageAsync($"/admin/users/{_host.RootId}"), "#disable-form");

        Assert.Equal(UserAccountChanges.LastAdministratorRole,
            (await HtmlForms.ReadPageAsync(unrole, "/")).Document.QuerySelector("[data-error-for='roles']")!.TextContent);
        Assert.Equal(DetailModel.CannotDisableSelf, await MessageAfterAsync(root, self));
        Assert.Equal(DetailModel.LastAdministrator, await MessageAfterAsync(manager, last));
        Assert.Null(await _host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == _host.RootId).Select(u => u.DisabledAt).SingleAsync()));
        Assert.Equal("admin", (await root.GetPageAsync($"/admin/users/{_host.RootId}")).Document.QuerySelector("[data-field='roles']")!.TextContent);
    }

    [Fact]
    public async Task Disables_AUser_EndingTheirSessionAndRefreshTokens_AndEnables_ThemAgain()
    {
        var (flow, refreshToken, session) = await AliceWithRefreshTokenAsync();
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/account")).StatusCode);
        using var console = await _host.SignedInAsync(_manager);

        var disabled = await console.PostFormAsync(await console.GetPageAsync($"/admin/users/{_host.AliceId}"), "#disable-form");

        Assert.Equal(DetailModel.Disabled, await MessageAfterAsync(console, disabled));
        using var browser = _host.NewBrowser();
        var refused = await UserAccountsApiTests.SignInAsync(browser, "alice", ConsoleHost.Password);
        Assert.Equal(LoginModel.GenericError, (await HtmlForms.ReadPageAsync(refused, LoginModel.Path)).Document.QuerySelector("#login-error")!.TextContent);
        Assert.Equal(LoginModel.Path, (await session.GetAsync("/account")).Headers.Location!.OriginalString);
        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(await flow.RefreshAsync(refreshToken)));
        var list = await console.GetPageAsync("/admin/users?disabled=true");
        Assert.Equal([_host.AliceId], list.Document.QuerySelectorAll("#users tbody tr").Select(r => r.GetAttribute("data-user")));
        Assert.NotNull(list.Document.QuerySelector($"tr[data-user='{_host.AliceId}'] [data-disabled]"));
        Assert.True(await AuditedAsync(AuditActions.UserDisabled, _manager, _host.AliceId));

        var enabled = await console.PostFormAsync(await console.GetPageAsync($"/admin/users/{_host.AliceId}"), "#enable-form");

        Assert.Equal(DetailModel.Enabled, await MessageAfterAsync(console, enabled));
        Assert.Equal(HttpStatusCode.SeeOther, (await UserAccountsApiTests.SignInAsync(browser, "alice", ConsoleHost.Password)).StatusCode);
        Assert.Empty((await console.GetPageAsync("/admin/users?disabled=true")).Document.QuerySelectorAll("#users tbody tr"));
        Assert.True(await AuditedAsync(AuditActions.UserEnabled, _manager, _host.AliceId));
    }

    [Fact]
    public async Task SendsAResetLink_ThatWorksOnce_AndEndsTheUsersSessions()
    {
        var (flow, refreshToken, session) = await AliceWithRefreshTokenAsync();
        var link = await SendResetAsync();
        using var browser = _host.NewBrowser();
        var page = await browser.GetPageAsync(link);
        var values = new Dictionary<string, string> { ["Password"] = NewPassword, ["ConfirmPassword"] = NewPassword };

        var first = await browser.SubmitAsync(page, values);
        var second = await browser.SubmitAsync(page, new Dictionary<string, string> { ["Password"] = "yet another passphrase", ["ConfirmPassword"] = "yet another passphrase" });

        Assert.NotNull((await HtmlForms.ReadPageAsync(first, link)).Document.QuerySelector("#password-set"));
        Assert.NotNull((await HtmlForms.ReadPageAsync(second, link)).Document.QuerySelector("#link-invalid"));
        Assert.Equal(HttpStatusCode.OK, (await UserAccountsApiTests.SignInAsync(browser, "alice", ConsoleHost.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await UserAccountsApiTests.SignInAsync(browser, "alice", NewPassword)).StatusCode);
        Assert.Equal(LoginModel.Path, (await session.GetAsync("/account")).Headers.Location!.OriginalString);
        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(await flow.RefreshAsync(refreshToken)));
        Assert.True(await AuditedAsync(AuditActions.UserPasswordResetRequested, _manager, _host.AliceId));
        Assert.True(await AuditedAsync(AuditActions.UserPasswordReset, _host.AliceId, _host.AliceId));
    }

    [Fact]
    public async Task Refuses_AnExpiredLink_AndChangesNothing()
    {
        var link = await SendResetAsync();
        using var browser = _host.NewBrowser();
        var page = await browser.GetPageAsync(link);

        _host.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var answer = await browser.SubmitAsync(page, new Dictionary<string, string> { ["Password"] = NewPassword, ["ConfirmPassword"] = NewPassword });

        Assert.NotNull((await HtmlForms.ReadPageAsync(answer, link)).Document.QuerySelector("#link-invalid"));
        Assert.NotNull((await browser.GetPageAsync(link)).Document.QuerySelector("#link-invalid"));
        Assert.Equal(HttpStatusCode.SeeOther, (await UserAccountsApiTests.SignInAsync(browser, "alice", ConsoleHost.Password)).StatusCode);
    }

    [Fact]
    public async Task Refuses_AWeakOrMismatchedPassword_AndKeepsTheLinkUsable()
    {
        var link = await SendResetAsync();
        using var browser = _host.NewBrowser();
        var page = await browser.GetPageAsync(link);

        var weak = await browser.SubmitAsync(page, new Dictionary<string, string> { ["Password"] = "short", ["ConfirmPassword"] = "short" });
        var mismatch = await browser.SubmitAsync(page, new Dictionary<string, string> { ["Password"] = NewPassword, ["ConfirmPassword"] = NewPassword + "!" });

        Assert.Contains("12", (await HtmlForms.ReadPageAsync(weak, link)).Document.QuerySelector("#password-errors")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(PasswordResetModel.MismatchText, (await HtmlForms.ReadPageAsync(mismatch, link)).Document.QuerySelector("#password-errors")!.TextContent.Trim());
        Assert.NotNull((await UserAccountsApiTests.SetPasswordAsync(browser, link, NewPassword)).Document.QuerySelector("#password-set"));
    }

    [Fact]
    public async Task Refuses_AnAdministratorWithoutUsersManage_AndChangesNothing()
    {
        using var support = await _host.SignedInAsync(_support);
        var detail = await support.GetPageAsync($"/admin/users/{_host.AliceId}");
        var token = detail.Document.QuerySelector("#mfa-required-form input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        var newPage = await support.GetAsync("/admin/users/new");
        var edit = await support.GetAsync($"/admin/users/{_host.AliceId}/edit");
        var disable = await support.PostAsync($"/admin/users/{_host.AliceId}?handler=Disable",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        var reset = await support.PostAsync($"/admin/users/{_host.AliceId}?handler=PasswordReset",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));

        Assert.Null(detail.Document.QuerySelector("#disable-form"));
        Assert.All(new[] { newPage, edit, disable, reset }, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Null(await _host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == _host.AliceId).Select(u => u.DisabledAt).SingleAsync()));
        Assert.Equal(0, await _host.Factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));
    }

    [Fact]
    public async Task Answers404_ForAnUnknownUser()
    {
        using var console = await _host.SignedInAsync(_host.RootId);

        Assert.Equal(HttpStatusCode.NotFound, (await console.GetAsync("/admin/users/nobody/edit")).StatusCode);
    }

    [Fact]
    public async Task ForgotPassword_AnswersTheSameForEveryLogin_AndEmailsOnlyAnExistingAccount_OncePerInterval()
    {
        using var browser = _host.NewBrowser();
        var login = await browser.GetPageAsync(LoginModel.Path);
        Assert.Equal(ForgotPasswordModel.Path, login.Document.QuerySelector("#forgot-password")!.GetAttribute("href"));

        var answers = new List<HttpResponseMessage>();
        foreach (var account in new[] { "alice", "nobody@example.com", "alice" })
        {
            answers.Add(await browser.SubmitAsync(await browser.GetPageAsync(ForgotPasswordModel.Path), new Dictionary<string, string> { ["Login"] = account }));
        }

        Assert.All(answers, a => Assert.Equal(ForgotPasswordModel.Path + "?sent=true", a.Headers.Location!.OriginalString));
        var mail = Assert.Single(await _host.Factory.WithDbAsync(db => db.EmailOutbox.ToListAsync()));
        Assert.Equal("alice@example.com", mail.To);
        Assert.NotNull((await UserAccountsApiTests.SetPasswordAsync(browser, UserAccountsApiTests.LinkIn(mail.TextBody), NewPassword)).Document.QuerySelector("#password-set"));
    }

    /// <summary>The manager sends alice a reset link from her page; the link's path and query.</summary>
    private async Task<string> SendResetAsync()
    {
        using var console = await _host.SignedInAsync(_manager);
        var sent = await console.PostFormAsync(await console.GetPageAsync($"/admin/users/{_host.AliceId}"), "#password-reset-form");
        Assert.Equal(DetailModel.PasswordResetSent, await MessageAfterAsync(console, sent));
        var mail = Assert.Single(await _host.Factory.WithDbAsync(db => db.EmailOutbox.Where(m => m.To == "alice@example.com").ToListAsync()));
        return UserAccountsApiTests.LinkIn(mail.TextBody);
    }

    /// <summary>Alice signed in to an application that holds a refresh token, and her browser's session.</summary>
    private async Task<(CodeFlow Flow, string RefreshToken, HttpClient Session)> AliceWithRefreshTokenAsync()
    {
        await using var scope = _host.Factory.Services.CreateAsyncScope();
        var secret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "app", RedirectUris = [ConsoleHost.Redirect], GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            Scopes = ["openid", "offline_access"],
        }, "test", CancellationToken.None)).NewSecret!;
        var session = _host.NewBrowser();
        var flow = new CodeFlow(session, "app", ConsoleHost.Redirect, secret);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(await flow.SignInAsync(_host.AliceId, "openid offline_access")));
        return (flow, tokens.GetProperty("refresh_token").GetString()!, session);
    }

    private static async Task<string?> MessageAfterAsync(HttpClient console, HttpResponseMessage answer)
    {
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        return (await console.GetPageAsync(answer.Headers.Location!.OriginalString)).Document.QuerySelector("#admin-message")?.TextContent;
    }

    private async Task<string> AddUserAsync(string name, string role)
    {
        await using var scope = _host.Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole(role));
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = name, Email = name + "@example.com", CreatedAt = _host.Time.GetUtcNow() };
        Assert.True((await users.CreateAsync(user, ConsoleHost.Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return user.Id;
    }

    private Task<bool> AuditedAsync(string action, string actor, string target) =>
        _host.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == action && e.Actor == actor && e.TargetType == "user" && e.TargetId == target));
}
