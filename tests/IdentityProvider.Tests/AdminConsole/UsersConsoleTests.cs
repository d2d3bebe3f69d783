using System.Net;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>
/// /admin/users and /admin/users/{id}: the list (MFA status, sort, search, filters) and the
/// actions on one user, each refused without its permission and done by the owning service.
/// </summary>
public sealed class UsersConsoleTests : IAsyncLifetime
{
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 10, TimeSpan.Zero));
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private IdentityProviderFactory _factory = null!;
    private string _secret = null!;
    private string _root = null!;
    private string _alice = null!;
    private string _bob = null!;
    private string _desk = null!;
    private string _acme = null!;

    public async Task InitializeAsync()
    {
        // "helpdesk" may read users but not change their factors.
        _factory = new IdentityProviderFactory(_database, _time, settings: new Dictionary<string, string>
        {
            ["Administration:RolePermissions:helpdesk:0"] = "users.read",
        });
        await using var scope = _factory.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        _secret = (await services.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid"],
        }, "test", CancellationToken.None)).NewSecret!;
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        await roles.CreateAsync(new IdentityRole(Roles.Administrator));
        await roles.CreateAsync(new IdentityRole("helpdesk"));
        _root = await CreateUserAsync(services, "root", "Root Admin", Roles.Administrator);
        await CreateUserAsync(services, "ops", "Ops Admin", Roles.Administrator);
        _alice = await CreateUserAsync(services, "alice", "Alice Member", role: null);
        _bob = await CreateUserAsync(services, "bob", "Bob Member", role: null);
        _desk = await CreateUserAsync(services, "desk", "Desk Helper", "helpdesk");

        var totp = services.GetRequiredService<TotpAuthenticator>();
        var enrolment = await totp.BeginEnrolmentAsync(_alice, "alice@example.com", CancellationToken.None);
        Assert.True(await totp.ActivateAsync(_alice, Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), _time.GetUtcNow()), CancellationToken.None));
        var organisations = services.GetRequiredService<OrganisationDirectory>();
        _acme = (await organisations.CreateAsync("Acme", requireMfa: false, "test", CancellationToken.None))!.Id;
        Assert.True(await organisations.SetMembershipAsync(_alice, _acme, "test", CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task ShowsTheMfaStatusOfEachUser_AndSortsByIt_InBothDirections()
    {
        using var browser = await SignedInAsync(_root);

        var ascending = await browser.GetPageAsync("/admin/users?sort=mfa");
        var descending = await browser.GetPageAsync("/admin/users?sort=mfa&dir=desc");

        Assert.Equal("authenticatorApp", Row(ascending, _alice).QuerySelector("[data-mfa]")!.GetAttribute("data-mfa"));
        Assert.Equal("none", Row(ascending, _bob).QuerySelector("[data-mfa]")!.GetAttribute("data-mfa"));
        Assert.Equal(_alice, UserIds(ascending).Last());
        Assert.Equal(_alice, UserIds(descending).First());
        Assert.Equal("ascending", ascending.Document.QuerySelector("th[data-column='mfa']")!.GetAttribute("aria-sort"));
        // The header of the sorted column links to the other direction.
        Assert.Equal("/admin/users?sort=mfa&dir=desc", ascending.Document.QuerySelector("th[data-column='mfa'] a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Searches_NameEmailAndUsername_WhateverTheCase()
    {
        using var browser = await SignedInAsync(_root);

        Assert.Equal([_alice], UserIds(await browser.GetPageAsync("/admin/users?search=ALICE")));
        Assert.Equal([_bob], UserIds(await browser.GetPageAsync("/admin/users?search=bob%40example")));
        Assert.Equal([_desk], UserIds(await browser.GetPageAsync("/admin/users?search=helper")));
    }

    [Fact]
    public async Task Filters_ByMfaStatus_Organisation_MfaRequired_AndLockout()
    {
        await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _bob).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.LockoutEnd, DateTimeOffset.MaxValue).SetProperty(u => u.MfaRequired, true)));
        using var browser = await SignedInAsync(_root);

        Assert.Equal([_alice], UserIds(await browser.GetPageAsync("/admin/users?mfa=totp")));
        Assert.DoesNotContain(_alice, UserIds(await browser.GetPageAsync("/admin/users?mfa=none")));
        Assert.Equal([_alice], UserIds(await browser.GetPageAsync($"/admin/users?organisation={_acme}")));
        Assert.Equal([_bob], UserIds(await browser.GetPageAsync("/admin/users?mfaRequired=true")));
        Assert.Equal([_bob], UserIds(await browser.GetPageAsync("/admin/users?locked=true")));
    }

    [Fact]
    public async Task Pages_TheList_25AtATime_WithoutRepeatingAUser()
    {
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            for (var i = 0; i < 25; i++)
            {
                Assert.True((await users.CreateAsync(new ApplicationUser { UserName = $"same{i:00}", Email = $"same{i:00}@example.com", DisplayName = "Same Name" })).Succeeded);
            }
        }

        using var browser = await SignedInAsync(_root);
        var first = await browser.GetPageAsync("/admin/users");
        var second = await browser.GetPageAsync(first.Document.QuerySelector("a[rel='next']")!.GetAttribute("href")!);

        Assert.Equal(25, UserIds(first).Count);
        Assert.Equal(5, UserIds(second).Count);
        Assert.Empty(UserIds(first).Intersect(UserIds(second)));
        Assert.Equal("/admin/users?page=2", first.Document.QuerySelector("a[rel='next']")!.GetAttribute("href"));
        Assert.NotNull(second.Document.QuerySelector("a[rel='prev']"));
    }

    [Fact]
    public async Task Refuses_TheList_ToAUserWithoutUsersRead()
    {
        using var browser = await SignedInAsync(_alice);

        var response = await browser.GetAsync("/admin/users");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null((await HtmlForms.ReadPageAsync(response, "/admin/users")).Document.QuerySelector("#users"));
    }

    [Fact]
    public async Task Refuses_DisablingMfa_WithoutUsersManageFactors_AndChangesNothing()
    {
        using var browser = await SignedInAsync(_desk);
        var detail = await browser.GetPageAsync($"/admin/users/{_alice}");
        Assert.Null(detail.Document.QuerySelector("#disable-mfa-form"));
        // A token from a page with a form, so that only the permission can refuse the post.
        var token = (await browser.GetPageAsync("/account/security")).Document
            .QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        var response = await browser.PostAsync($"/admin/users/{_alice}?handler=DisableMfa",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True(await _factory.WithDbAsync(db => db.UserTotpSecrets.AnyAsync(s => s.UserId == _alice)));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.EmailOutbox.CountAsync()));
    }

    [Fact]
    public async Task DisablesMfa_RemovingTotpAndRecoveryCodes_AndEmailsEveryAdministrator()
    {
        using var browser = await SignedInAsync(_root);
        var detail = await browser.GetPageAsync($"/admin/users/{_alice}");

        var response = await browser.SubmitAsync(detail, new Dictionary<string, string>(), "#disable-mfa-form");
        var after = await browser.GetPageAsync($"/admin/users/{_alice}");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("none", after.Document.QuerySelector("[data-field='mfa'] [data-mfa]")!.GetAttribute("data-mfa"));
        Assert.False(await _factory.WithDbAsync(db => db.UserTotpSecrets.AnyAsync(s => s.UserId == _alice)));
        Assert.False(await _factory.WithDbAsync(db => db.RecoveryCodes.AnyAsync(c => c.UserId == _alice)));
        var mails = await _factory.WithDbAsync(db => db.EmailOutbox.ToListAsync());
        // The other administrator hears of it once; so does the one who did it (every administrator is told).
        Assert.Single(mails, m => m.To == "ops@example.com");
        Assert.Single(mails, m => m.To == "root@example.com");
        Assert.Equal(2, mails.Count);
        Assert.Contains("an administrator (root)", mails.Single(m => m.To == "ops@example.com").TextBody, StringComparison.Ordinal);
        Assert.True(await _factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.MfaDisabled && e.Actor == _root && e.TargetId == _alice)));
        Assert.NotNull(after.Document.QuerySelector($"#user-audit [data-action='{AuditActions.MfaDisabled}']"));
    }

    [Fact]
    public async Task SetsAndClears_MfaRequired()
    {
        using var browser = await SignedInAsync(_root);

        await browser.SubmitAsync(await browser.GetPageAsync($"/admin/users/{_bob}"), new Dictionary<string, string>(), "#mfa-required-form");
        var set = await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _bob).Select(u => u.MfaRequired).SingleAsync());
        await browser.SubmitAsync(await browser.GetPageAsync($"/admin/users/{_bob}"), new Dictionary<string, string>(), "#mfa-required-form");
        var cleared = await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _bob).Select(u => u.MfaRequired).SingleAsync());

        Assert.True(set);
        Assert.False(cleared);
        Assert.True(await _factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.UserMfaRequired && e.Actor == _root)));
    }

    [Fact]
    public async Task RequestsAPasskey_AndWithdrawsTheRequest()
    {
        using var browser = await SignedInAsync(_root);

        await browser.SubmitAsync(await browser.GetPageAsync($"/admin/users/{_bob}"), new Dictionary<string, string>(), "#request-passkey-form");
        var requested = await browser.GetPageAsync($"/admin/users/{_bob}");
        var requestedBy = await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _bob).Select(u => u.PasskeyRequestedBy).SingleAsync());
        await browser.SubmitAsync(requested, new Dictionary<string, string>(), "#cancel-passkey-request-form");

        Assert.Equal(_root, requestedBy);
        Assert.Null(await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _bob).Select(u => u.PasskeyRequestedAt).SingleAsync()));
        Assert.NotNull((await browser.GetPageAsync($"/admin/users/{_bob}")).Document.QuerySelector("#request-passkey-form"));
    }

    [Fact]
    public async Task Unlocks_AnAccountLockedUntilAnAdministratorActs()
    {
        await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _bob).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.LockoutEnd, DateTimeOffset.MaxValue).SetProperty(u => u.ConsecutiveFailedSignIns, 10)));
        using var browser = await SignedInAsync(_root);

        await browser.SubmitAsync(await browser.GetPageAsync($"/admin/users/{_bob}"), new Dictionary<string, string>(), "#unlock-form");

        var bob = await _factory.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == _bob));
        Assert.Null(bob.LockoutEnd);
        Assert.Equal(0, bob.ConsecutiveFailedSignIns);
        Assert.True(await _factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.UserUnlocked && e.Actor == _root && e.TargetId == _bob)));
    }

    private static AngleSharp.Dom.IElement Row(HtmlPage page, string userId) =>
        page.Document.QuerySelector($"#users tr[data-user='{userId}']") ?? throw new InvalidOperationException($"no row for {userId}");

    private static List<string> UserIds(HtmlPage page) =>
        [.. page.Document.QuerySelectorAll("#users tbody tr").Select(r => r.GetAttribute("data-user")!)];

    private static async Task<string> CreateUserAsync(IServiceProvider services, string name, string displayName, string? role)
    {
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = name, Email = name + "@example.com", DisplayName = displayName, CreatedAt = DateTimeOffset.UnixEpoch };
        Assert.True((await users.CreateAsync(user, "correct horse battery staple")).Succeeded);
        if (role is not null)
        {
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        }

        return user.Id;
    }

    private HttpClient NewBrowser() =>
        _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });

    /// <summary>A browser with a two-factor session for <paramref name="userId"/> (through the test login).</summary>
    private async Task<HttpClient> SignedInAsync(string userId)
    {
        var browser = NewBrowser();
        await new CodeFlow(browser, "crm", Redirect, _secret).SignInAsync(userId, "openid", "pwd otp mfa");
        return browser;
    }
}
