using System.Net;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Pages.Admin;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>/admin/settings: only holders of <c>security.manage_settings</c> see or change the MFA settings, through <see cref="MfaSettingsStore"/>.</summary>
public sealed class SettingsConsoleTests : IAsyncLifetime
{
    private SecurityConsoleScenario _scenario = null!;

    public async Task InitializeAsync() => _scenario = await SecurityConsoleScenario.CreateAsync();

    public async Task DisposeAsync() => await _scenario.DisposeAsync();

    private Task<MfaPolicySettings> SavedAsync() =>
        _scenario.WithServiceAsync<MfaSettingsStore, MfaPolicySettings>(store => store.GetAsync(CancellationToken.None));

    [Fact]
    public async Task Refuses_AUserWithoutTheSettingsPermission_ToOpenOrPostThePage_AndNothingChanges()
    {
        var before = await SavedAsync();
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var form = await admin.GetPageAsync("/admin/settings");
        using var helpdesk = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Hana);
        // The helpdesk's own antiforgery token, from a page it may open, so only the permission is missing.
        var own = await helpdesk.GetPageAsync("/account/security");
        var token = own.Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        var get = await helpdesk.GetAsync("/admin/settings");
        var post = await helpdesk.PostAsync("/admin/settings", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["MfaEnabled"] = "false", ["EnforceFor"] = "AllUsers", ["GraceSignIns"] = "7", ["GraceDays"] = "0", ["RememberBrowserDays"] = "0",
        }));

        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Null((await HtmlForms.ReadPageAsync(get, "/admin/settings")).Document.QuerySelector("#settings-form"));
        Assert.NotNull(form.Document.QuerySelector("#settings-form"));
        Assert.Equivalent(before, await SavedAsync());
        Assert.False(await _scenario.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.MfaPolicyChanged)));
    }

    [Fact]
    public async Task Saves_TheSettings_ThroughTheStore_AndAuditsTheChange()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var page = await admin.GetPageAsync("/admin/settings");

        var response = await admin.SubmitAsync(page, new Dictionary<string, string>
        {
            ["EnforceFor"] = nameof(EnforcementScope.Roles), ["EnforcedRoles"] = "helpdesk",
            ["GraceSignIns"] = "3", ["GraceDays"] = "14", ["RememberBrowserDays"] = "30", ["EmailFallback"] = "true",
        }, "#settings-form");

        var answer = await HtmlForms.ReadPageAsync(response, page.Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(answer.Document.QuerySelector("#settings-saved"));
        var saved = await SavedAsync();
        Assert.Equal(EnforcementScope.Roles, saved.EnforceFor);
        Assert.Equal(["helpdesk"], saved.EnforcedRoles);
        Assert.Equal((3, 14, 30, true, true), (saved.GraceSignIns, saved.GraceDays, saved.RememberBrowserDays, saved.EmailFallback, saved.MfaEnabled));
        var audit = await _scenario.Factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.MfaPolicyChanged));
        Assert.Equal(_scenario.Root, audit.Actor);
        Assert.True(answer.Document.QuerySelector("#role-helpdesk")!.HasAttribute("checked"));
    }

    [Fact]
    public async Task Refuses_ValuesTheStoreRejects_ShowsWhy_AndKeepsTheOldSettings()
    {
        var before = await SavedAsync();
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var page = await admin.GetPageAsync("/admin/settings");

        var response = await admin.SubmitAsync(page, new Dictionary<string, string> { ["GraceSignIns"] = "101", ["EnforceFor"] = nameof(EnforcementScope.Roles) }, "#settings-form");

        var answer = await HtmlForms.ReadPageAsync(response, page.Url);
        var problems = answer.Document.QuerySelectorAll("#settings-problems li").Select(li => li.TextContent).ToList();
        Assert.Equal(["Grace sign-ins must be between 0 and 100.", "Name at least one role to enforce MFA for."], problems);
        Assert.Null(answer.Document.QuerySelector("#settings-saved"));
        Assert.Equal("101", answer.Document.QuerySelector("#grace-sign-ins")!.GetAttribute("value"));
        Assert.Equivalent(before, await SavedAsync());
        Assert.False(await _scenario.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.MfaPolicyChanged)));
    }

    [Fact]
    public async Task Refuses_ANumberThatIsNotOne_AndKeepsTheOldSettings()
    {
        var before = await SavedAsync();
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var page = await admin.GetPageAsync("/admin/settings");

        var response = await admin.SubmitAsync(page, new Dictionary<string, string> { ["GraceDays"] = "soon", ["MfaEnabled"] = "false" }, "#settings-form");

        var answer = await HtmlForms.ReadPageAsync(response, page.Url);
        Assert.Contains("whole numbers", answer.Document.QuerySelector("#settings-problems")!.TextContent, StringComparison.Ordinal);
        Assert.Equivalent(before, await SavedAsync());
    }

    [Fact]
    public async Task Refuses_APostWithoutTheFormsFields_InsteadOfSwitchingMfaOff()
    {
        var before = await SavedAsync();
        Assert.True(before.MfaEnabled);
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var page = await admin.GetPageAsync("/admin/settings");

        // Found by the fuzz test: a post with only the antiforgery token bound every missing field
        // to false or 0 and saved MFA as off.
        var response = await admin.PostAsync("/admin/settings", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = page.AntiforgeryToken!,
        }));

        var answer = await HtmlForms.ReadPageAsync(response, page.Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([SettingsModel.IncompleteForm], answer.Document.QuerySelectorAll("#settings-problems li").Select(li => li.TextContent).ToList());
        Assert.Equivalent(before, await SavedAsync());
        Assert.False(await _scenario.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.MfaPolicyChanged)));
    }

    private Task<SecurityLimits> LimitsAsync() =>
        _scenario.WithServiceAsync<SecuritySettingsStore, SecurityLimits>(store => store.GetAsync(CancellationToken.None));

    private Task<int> SavedLimitRowsAsync() => _scenario.Factory.WithDbAsync(db => db.Set<SecuritySettingsEntity>().CountAsync());

    [Fact]
    public async Task Shows_TheConfiguredLimits_InTheirForm_UntilSaved()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);

        var page = await admin.GetPageAsync("/admin/settings");

        var form = page.Document.QuerySelector("#security-limits-form")!;
        Assert.Equal(["5", "5", "15", "1", "10"], form.QuerySelectorAll("input[type='number']").Select(i => i.GetAttribute("value")));
        Assert.Equal("1", page.Document.QuerySelector("#limit-totpWindow")!.GetAttribute("value"));
        Assert.NotNull(form.QuerySelector("input[name='__RequestVerificationToken']"));
        var table = page.Document.QuerySelector("#configured-settings")!;
        Assert.Contains("Lockout:MaxConsecutiveFailures", table.TextContent, StringComparison.Ordinal);
        Assert.Null(table.QuerySelector("input"));
    }

    [Fact]
    public async Task Saves_TheLockoutAndCodeLimits_AndAuditsOldAndNew_LeavingTheMfaSettingsAlone()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var page = await admin.GetPageAsync("/admin/settings");

        var response = await admin.SubmitAsync(page, new Dictionary<string, string>
        {
            ["MaxFailedPasswords"] = "3", ["MaxFailedCodes"] = "4", ["LockoutDurationMinutes"] = "60", ["TotpWindow"] = "0", ["RecoveryCodeCount"] = "8",
        }, "#security-limits-form");

        var answer = await HtmlForms.ReadPageAsync(response, page.Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(answer.Document.QuerySelector("#limits-saved"));
        Assert.Equal(new SecurityLimits(3, 4, TimeSpan.FromHours(1), 0, 8), await LimitsAsync());
        Assert.Equal("0", answer.Document.QuerySelector("#limit-totpWindow")!.GetAttribute("value"));
        var audit = await _scenario.Factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.SecuritySettingsChanged));
        Assert.Equal(_scenario.Root, audit.Actor);
        Assert.Contains("totp window: 1 → 0", audit.Details, StringComparison.Ordinal);
        Assert.Equal(0, await _scenario.Factory.WithDbAsync(db => db.MfaPolicySettings.CountAsync()));
        // The MFA form still shows the settings in force, not what an unposted form would bind to.
        Assert.True(answer.Document.QuerySelector("#mfa-enabled")!.HasAttribute("checked"));
    }

    [Fact]
    public async Task Refuses_LimitsOutOfRange_ShowsAnErrorAtEachField_AndSavesNothing()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var page = await admin.GetPageAsync("/admin/settings");

        var response = await admin.SubmitAsync(page, new Dictionary<string, string> { ["MaxFailedPasswords"] = "2", ["TotpWindow"] = "5" }, "#security-limits-form");

        var answer = await HtmlForms.ReadPageAsync(response, page.Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(answer.Document.QuerySelector("#limits-saved"));
        Assert.Equal(2, answer.Document.QuerySelectorAll("#limits-problems li").Length);
        Assert.Equal("Wrong passwords that lock the account must be between 3 and 100.",
            answer.Document.QuerySelector("[data-field='maxFailedPasswords']")!.TextContent);
        Assert.Equal("Authenticator codes accepted either side of the current one must be between 0 and 2.",
            answer.Document.QuerySelector("[data-field='totpWindow']")!.TextContent);
        Assert.Equal("true", answer.Document.QuerySelector("#limit-totpWindow")!.GetAttribute("aria-invalid"));
        Assert.Equal("5", answer.Document.QuerySelector("#limit-totpWindow")!.GetAttribute("value"));
        Assert.Null(answer.Document.QuerySelector("[data-field='recoveryCodeCount']"));
        Assert.Equal(0, await SavedLimitRowsAsync());
        Assert.False(await _scenario.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.SecuritySettingsChanged)));
    }

    [Fact]
    public async Task Refuses_ALimitThatIsNotANumber_AtItsField()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var page = await admin.GetPageAsync("/admin/settings");

        var response = await admin.SubmitAsync(page, new Dictionary<string, string> { ["RecoveryCodeCount"] = "plenty" }, "#security-limits-form");

        var answer = await HtmlForms.ReadPageAsync(response, page.Url);
        Assert.Equal(SettingsModel.NotAWholeNumber, answer.Document.QuerySelector("[data-field='recoveryCodeCount']")!.TextContent);
        Assert.Equal(0, await SavedLimitRowsAsync());
    }

    [Fact]
    public async Task Refuses_AUserWithoutTheSettingsPermission_ToPostTheLimits_AndNothingChanges()
    {
        using var helpdesk = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Hana);
        var own = await helpdesk.GetPageAsync("/account/security");
        var token = own.Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        var post = await helpdesk.PostAsync("/admin/settings?handler=Limits", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["MaxFailedPasswords"] = "100", ["MaxFailedCodes"] = "100", ["LockoutDurationMinutes"] = "1", ["TotpWindow"] = "2", ["RecoveryCodeCount"] = "20",
        }));

        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(0, await SavedLimitRowsAsync());
        Assert.False(await _scenario.Factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == AuditActions.SecuritySettingsChanged)));
    }

    [Fact]
    public async Task Refuses_APostOfTheLimitsWithoutTheAntiforgeryToken()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);

        var post = await admin.PostAsync("/admin/settings?handler=Limits", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["MaxFailedPasswords"] = "3", ["MaxFailedCodes"] = "3", ["LockoutDurationMinutes"] = "1", ["TotpWindow"] = "0", ["RecoveryCodeCount"] = "5",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal(0, await SavedLimitRowsAsync());
    }
}
