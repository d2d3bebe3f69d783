using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Samples.Tests;

/// <summary>The hosted pages with mail going to a real SMTP server on a loopback port, sent when the test drains the outbox.</summary>
public sealed class AdminConsoleFixture : HostedPagesFixture
{
    private readonly int _smtpPort = SmtpSink.UnusedPort();

    public SmtpSink Smtp { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string> IdpSettings() => new Dictionary<string, string>
    {
        ["Email:From:Address"] = "security@idp.example",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = _smtpPort.ToString(CultureInfo.InvariantCulture),
        ["Email:Smtp:Timeout"] = "00:00:10",
        // The test drains the outbox itself; the timer must not race it.
        ["Email:SendInterval"] = "10.00:00:00",
        // A console role that may look at users but not change settings.
        [$"Administration:RolePermissions:{ViewerRole}:0"] = "users.read",
    };

    public const string ViewerRole = "viewer";

    public override async Task InitializeAsync()
    {
        Smtp = await SmtpSink.StartAsync(_smtpPort);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }
    }
}

/// <summary>
/// The users section of the administration console in Debian's Chromium: an administrator signs
/// in on the hosted pages with a password and an authenticator code, sorts the users by their MFA
/// status, opens a member and turns their MFA off; every other administrator gets the notice by mail.
/// </summary>
public sealed class AdminConsoleBrowserTests(AdminConsoleFixture samples, ITestOutputHelper output) : IClassFixture<AdminConsoleFixture>
{
    private readonly HostedPagesJourney _journey = new(samples, output);

    [Fact]
    public async Task DisablesAMembersMfa_FromTheUsersList_AndEveryOtherAdministratorIsEmailed()
    {
        var root = await samples.CreatePasswordUserAsync("Rita Root");
        var ops = await samples.CreatePasswordUserAsync("Oskar Ops");
        var audit = await samples.CreatePasswordUserAsync("Anna Audit");
        var mia = await samples.CreatePasswordUserAsync("Mia Member");
        await MakeAdministratorsAsync(root.Id, ops.Id, audit.Id);
        var rootSecret = await EnrolTotpAsync(root.Id);
        await EnrolTotpAsync(mia.Id);
        // Each step's code is accepted once, and activation used this one.
        samples.Time.Advance(TimeSpan.FromSeconds(30));
        var page = await _journey.NewPageAsync();

        // Administrators are always asked for their second factor.
        await page.GotoAsync(_journey.Login);
        await _journey.SubmitPasswordAsync(page, root);
        await _journey.SubmitCodeAsync(page, rootSecret);
        await page.WaitForURLAsync(samples.Idp.Issuer + SignInCompletion.AccountHome, Committed);
        await page.GotoAsync(samples.Idp.Issuer + "/admin/users");
        Assert.Equal("none", await page.GetAttributeAsync($"#users tr[data-user='{ops.Id}'] [data-mfa]", "data-mfa"));

        await page.ClickAsync("th[data-column='mfa'] a");
        await page.WaitForURLAsync("**/admin/users?sort=mfa", Committed);
        await page.ClickAsync("th[data-column='mfa'] a");
        await page.WaitForURLAsync("**/admin/users?sort=mfa&dir=desc", Committed);
        Assert.Equal("descending", await page.GetAttributeAsync("th[data-column='mfa']", "aria-sort"));
        var order = await page.Locator("#users tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.user)");
        // Both with an authenticator app come first; ties go by name.
        Assert.Equal([mia.Id, root.Id], order.Take(2));
        Assert.Equal("authenticatorApp", await page.GetAttributeAsync($"#users tr[data-user='{mia.Id}'] [data-mfa]", "data-mfa"));
        Assert.Contains("Authenticator app", await page.TextContentAsync($"#users tr[data-user='{mia.Id}'] .mfa-status"), StringComparison.Ordinal);
        await _journey.CaptureAsync(page, "admin-users-1-sorted-by-mfa");

        await page.ClickAsync($"#users tr[data-user='{mia.Id}'] a");
        await page.WaitForURLAsync(samples.Idp.Issuer + "/admin/users/" + mia.Id, Committed);
        await page.ClickAsync("#disable-mfa-form button[type=submit]");
        await page.WaitForSelectorAsync("#admin-message");
        Assert.Equal("none", await page.GetAttributeAsync("[data-field='mfa'] [data-mfa]", "data-mfa"));
        Assert.Equal(0, await page.Locator("#disable-mfa-form").CountAsync());
        await _journey.CaptureAsync(page, "admin-users-2-mfa-disabled");

        // Every administrator is mailed, including any another test of this class made one.
        var before = samples.Smtp.Messages.Count;
        var administrators = await samples.WithIdpServicesAsync(async services =>
            (await services.GetRequiredService<UserManager<ApplicationUser>>().GetUsersInRoleAsync(Roles.Administrator)).Count);
        await samples.Idp.Factory.Services.GetRequiredService<OutboxEmailDispatcher>().DrainOnceAsync(CancellationToken.None);
        var mails = (await samples.Smtp.WaitForAsync(before + administrators)).Skip(before).ToList();
        foreach (var other in new[] { ops, audit })
        {
            var mail = Assert.Single(mails, m => m.EnvelopeTo.Contains(other.UserName + "@example.com"));
            Assert.Contains("Mia Member", mail.Text, StringComparison.Ordinal);
            Assert.Contains($"an administrator ({root.UserName})", mail.Text, StringComparison.Ordinal);
        }

        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task RequiresMfaForAnOrganisation_InTheConsole_AndTheAuditLogListsAndExportsEachStep()
    {
        var root = await samples.CreatePasswordUserAsync("Rolf Root");
        var member = await samples.CreatePasswordUserAsync("Max Member");
        await MakeAdministratorsAsync(root.Id);
        var rootSecret = await EnrolTotpAsync(root.Id);
        samples.Time.Advance(TimeSpan.FromSeconds(30));
        var organisationName = "Fabrikam " + Guid.NewGuid().ToString("N")[..6];
        var page = await _journey.NewPageAsync();
        await page.GotoAsync(_journey.Login);
        await _journey.SubmitPasswordAsync(page, root);
        await _journey.SubmitCodeAsync(page, rootSecret);
        await page.WaitForURLAsync(samples.Idp.Issuer + SignInCompletion.AccountHome, Committed);

        // Create the organisation, add the member, then turn on "Require MFA".
        await page.GotoAsync(samples.Idp.Issuer + "/admin/organisations");
        await page.FillAsync("#organisation-name", organisationName);
        await page.ClickAsync("#create-form button[type=submit]");
        var row = page.Locator("#organisations tr[data-organisation]", new PageLocatorOptions { HasText = organisationName });
        var organisationId = await row.GetAttributeAsync("data-organisation");
        await page.GotoAsync(samples.Idp.Issuer + "/admin/organisations/" + organisationId);
        await page.FillAsync("#member-user", member.UserName);
        await page.ClickAsync("#add-form button[type=submit]");
        await page.WaitForSelectorAsync("#members-message");
        await page.GotoAsync(samples.Idp.Issuer + "/admin/organisations");
        await row.Locator(".require-mfa-form button").ClickAsync();
        await page.WaitForSelectorAsync("#organisations-message");
        Assert.Equal("Yes", (await row.Locator("[data-field='require-mfa']").TextContentAsync())?.Trim());

        // The member is now made to set up a second factor at the next sign-in.
        var memberPage = await _journey.NewPageAsync();
        await memberPage.GotoAsync(_journey.Login);
        await _journey.SubmitPasswordAsync(memberPage, member);
        await memberPage.WaitForURLAsync(samples.Idp.Issuer + SignInSteps.EnrolmentPath, Committed);

        // The audit log lists each step with the administrator as actor and the target.
        await page.GotoAsync(samples.Idp.Issuer + "/admin/audit?action=organisation.");
        var events = await page.Locator("#audit-events tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.action, r.dataset.actor, r.dataset.target])");
        Assert.Contains(events, e => e[0] == "organisation.created" && e[1] == root.Id && e[2] == organisationId);
        Assert.Contains(events, e => e[0] == "organisation.membership_changed" && e[1] == root.Id && e[2] == member.Id);
        Assert.Contains(events, e => e[0] == "organisation.mfa_changed" && e[1] == root.Id && e[2] == organisationId);
        await _journey.CaptureAsync(page, "admin-audit-1-organisation-steps");

        // The export carries the same filter, as a CSV file the browser downloads.
        var export = await page.GetAttributeAsync("#audit-export", "href");
        var csv = await page.APIRequest.GetAsync(samples.Idp.Issuer + export);
        Assert.Equal(200, csv.Status);
        Assert.StartsWith("text/csv", csv.Headers["content-type"], StringComparison.Ordinal);
        var text = await csv.TextAsync();
        Assert.StartsWith("time,actor,action", text.Split('\n')[0].ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("organisation.mfa_changed", text, StringComparison.Ordinal);
        Assert.Contains(organisationId!, text, StringComparison.Ordinal);
        _journey.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task RefusesTheSettingsPage_AndItsPost_ToAConsoleUserWithoutSecurityManageSettings()
    {
        var viewer = await samples.CreatePasswordUserAsync("Vera Viewer");
        await AddToRoleAsync(AdminConsoleFixture.ViewerRole, viewer.Id);
        var secret = await EnrolTotpAsync(viewer.Id);
        samples.Time.Advance(TimeSpan.FromSeconds(30));
        var page = await _journey.NewPageAsync();
        await page.GotoAsync(_journey.Login);
        await _journey.SubmitPasswordAsync(page, viewer);
        await _journey.SubmitCodeAsync(page, secret);
        await page.WaitForURLAsync(samples.Idp.Issuer + SignInCompletion.AccountHome, Committed);

        // users.read opens the console (so the 403 below is about the permission, not the sign-in) ...
        var users = await page.GotoAsync(samples.Idp.Issuer + "/admin/users");
        Assert.Equal(200, users!.Status);

        // ... but not the settings page.
        var settings = await page.GotoAsync(samples.Idp.Issuer + "/admin/settings");
        Assert.Equal(403, settings!.Status);
        Assert.Equal("You do not have permission to open this page.", (await page.TextContentAsync("#admin-denied"))?.Trim());
        await _journey.CaptureAsync(page, "admin-settings-denied");

        // A hand-made post of the settings form, with a valid antiforgery token from a page this user
        // may open, so that only the permission check can refuse it.
        var before = await SettingsRowsAsync();
        await page.GotoAsync(samples.Idp.Issuer + SecurityModel.Path);
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.InputValueAsync();
        var form = page.APIRequest.CreateFormData();
        form.Set("__RequestVerificationToken", token);
        form.Set("EnforceFor", "AllUsers");
        form.Set("GraceSignIns", "7");
        form.Set("GraceDays", "99");
        form.Set("RememberBrowserDays", "1");
        var post = await page.APIRequest.PostAsync(samples.Idp.Issuer + "/admin/settings", new APIRequestContextOptions { Form = form, MaxRedirects = 0 });

        Assert.Equal(403, post.Status);
        Assert.Contains("You do not have permission to open this page.", await post.TextAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await SettingsRowsAsync());
        // Chromium logs the 403 of the settings page as a console error, which is the point here.
        _journey.AssertNoCspViolations();
    }

    [Fact]
    public async Task CreatesAUser_WhoSetsAPasswordFromTheInvitation_AndSignsInToTheCrm()
    {
        // Named after "Rita Root": the users list test expects its own two users with an app first by name.
        var root = await samples.CreatePasswordUserAsync("Tilda Root");
        await MakeAdministratorsAsync(root.Id);
        var rootSecret = await EnrolTotpAsync(root.Id);
        samples.Time.Advance(TimeSpan.FromSeconds(30));
        var email = $"nina.{Guid.NewGuid().ToString("N")[..8]}@example.com";
        var admin = await _journey.NewPageAsync();
        await admin.GotoAsync(_journey.Login);
        await _journey.SubmitPasswordAsync(admin, root);
        await _journey.SubmitCodeAsync(admin, rootSecret);
        await admin.WaitForURLAsync(samples.Idp.Issuer + SignInCompletion.AccountHome, Committed);

        await admin.GotoAsync(samples.Idp.Issuer + "/admin/users/new");
        await admin.FillAsync("#user-email", email);
        await admin.FillAsync("#user-display-name", "Nina Newcomer");
        await admin.ClickAsync("#user-form button[type=submit]");
        await admin.WaitForURLAsync(new Regex(Regex.Escape(samples.Idp.Issuer) + "/admin/users/[^/]+$"), Committed);
        await _journey.CaptureAsync(admin, "admin-users-3-created");

        // The invitation goes through SMTP when the outbox is drained.
        var before = samples.Smtp.Messages.Count;
        await samples.Idp.Factory.Services.GetRequiredService<OutboxEmailDispatcher>().DrainOnceAsync(CancellationToken.None);
        var mails = (await samples.Smtp.WaitForAsync(before + 1)).Skip(before);
        var invitation = Assert.Single(mails, m => m.EnvelopeTo.Contains(email));
        Assert.Equal(EmailTemplates.AccountInvitation.Subject, invitation.Subject);
        var link = Regex.Match(invitation.Text!, @"https?://\S+").Value;
        Assert.StartsWith(samples.Idp.Issuer, link, StringComparison.Ordinal);

        // The newcomer, in a browser of their own, opens the link and chooses a password.
        var password = "Correct horse " + Guid.NewGuid().ToString("N")[..8];
        var page = await _journey.NewPageAsync();
        await page.GotoAsync(link);
        await page.FillAsync("#password", password);
        await page.FillAsync("#confirm-password", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#password-set");

        // Then signs in to the CRM with the address and that password.
        await page.GotoAsync(samples.Crm.BaseUrl + "/WhoAmI");
        var newcomer = new PasswordUser("", email, password);
        await _journey.SubmitPasswordAsync(page, newcomer);
        await page.WaitForURLAsync(samples.Crm.BaseUrl + "/WhoAmI", Committed);
        Assert.Equal("Nina Newcomer", await page.TextContentAsync("#name"));
        _journey.AssertNoConsoleErrors();
    }

    /// <summary>The saved MFA settings rows, as JSON, to compare before and after a refused post.</summary>
    private Task<string> SettingsRowsAsync() =>
        samples.WithIdpServicesAsync(async services =>
            JsonSerializer.Serialize(await services.GetRequiredService<IdentityProvider.Persistence.IdentityProviderDbContext>()
                .MfaPolicySettings.AsNoTracking().ToListAsync()));

    private async Task AddToRoleAsync(string role, string userId) =>
        await samples.WithIdpServicesAsync(async services =>
        {
            var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }

            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.AddToRoleAsync((await users.FindByIdAsync(userId))!, role)).Succeeded);
            return true;
        });

    private async Task MakeAdministratorsAsync(params string[] userIds) =>
        await samples.WithIdpServicesAsync(async services =>
        {
            var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
            if (!await roles.RoleExistsAsync(Roles.Administrator))
            {
                await roles.CreateAsync(new IdentityRole(Roles.Administrator));
            }

            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            foreach (var id in userIds)
            {
                Assert.True((await users.AddToRoleAsync((await users.FindByIdAsync(id))!, Roles.Administrator)).Succeeded);
            }

            return true;
        });

    private Task<string> EnrolTotpAsync(string userId) =>
        samples.WithIdpServicesAsync(async services =>
        {
            var totp = services.GetRequiredService<TotpAuthenticator>();
            var enrolment = await totp.BeginEnrolmentAsync(userId, userId, CancellationToken.None);
            Assert.True(await totp.ActivateAsync(userId, _journey.CodeNow(enrolment.Secret), CancellationToken.None));
            return enrolment.Secret;
        });
}
