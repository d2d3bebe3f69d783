using System.Net;
using IdentityProvider.Infrastructure.Auditing;
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
    public async Task Shows_TheConfiguredLockoutTotpAndRecoveryCodeSettings_WithTheirKeys()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);

        var page = await admin.GetPageAsync("/admin/settings");

        var table = page.Document.QuerySelector("#configured-settings")!;
        Assert.Equal("1", table.QuerySelector("[data-setting='totp-window']")!.TextContent);
        Assert.Equal("10", table.QuerySelector("[data-setting='recovery-codes']")!.TextContent);
        Assert.Contains("Lockout:MaxFailedPasswords", table.TextContent, StringComparison.Ordinal);
        Assert.Null(table.QuerySelector("input"));
    }
}
