using System.Net;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Policy;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>/admin/organisations: read with <c>users.read</c>, change with <c>security.manage_settings</c>, through <see cref="OrganisationDirectory"/>.</summary>
public sealed class OrganisationsConsoleTests : IAsyncLifetime
{
    private SecurityConsoleScenario _scenario = null!;

    public async Task InitializeAsync() => _scenario = await SecurityConsoleScenario.CreateAsync();

    public async Task DisposeAsync() => await _scenario.DisposeAsync();

    private Task<IReadOnlyList<string>> ReasonCodesAsync(string userId) =>
        _scenario.WithServiceAsync<PolicyCheck, IReadOnlyList<string>>(async check =>
            [.. (await check.EvaluateAsync(userId, "crm", [], CancellationToken.None)).Decision!.Reasons.Select(r => r.Code)]);

    private async Task<string> CreateAsync(HttpClient admin, string name, bool requireMfa = false)
    {
        var page = await admin.GetPageAsync("/admin/organisations");
        var values = new Dictionary<string, string> { ["name"] = name };
        if (requireMfa)
        {
            values["requireMfa"] = "true";
        }

        var created = await HtmlForms.ReadPageAsync(await admin.SubmitAsync(page, values, "#create-form"), page.Url);
        Assert.NotNull(created.Document.QuerySelector("#organisations-message"));
        return (await _scenario.WithServiceAsync<OrganisationDirectory, IReadOnlyList<OrganisationSummary>>(d => d.ListAsync(CancellationToken.None)))
            .Single(o => o.Name == name).Id;
    }

    [Fact]
    public async Task Creates_AnOrganisation_TurnsRequireMfaOn_AndAMemberAdded_IsRequiredToUseMfa()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var id = await CreateAsync(admin, "Contoso");
        Assert.DoesNotContain("organisation-requires-mfa", await ReasonCodesAsync(_scenario.Alice));

        var members = await admin.GetPageAsync($"/admin/organisations/{id}");
        var added = await HtmlForms.ReadPageAsync(await admin.SubmitAsync(members, new Dictionary<string, string> { ["user"] = "ALICE@example.com" }, "#add-form"), members.Url);
        Assert.NotNull(added.Document.QuerySelector($"#members tr[data-user='{_scenario.Alice}']"));
        Assert.DoesNotContain("organisation-requires-mfa", await ReasonCodesAsync(_scenario.Alice));

        var list = await admin.GetPageAsync("/admin/organisations");
        var toggled = await HtmlForms.ReadPageAsync(
            await admin.SubmitAsync(list, new Dictionary<string, string>(), $"tr[data-organisation='{id}'] .require-mfa-form"), list.Url);

        Assert.Equal("Yes", toggled.Document.QuerySelector($"tr[data-organisation='{id}'] [data-field='require-mfa']")!.TextContent);
        Assert.Equal("1", toggled.Document.QuerySelector($"tr[data-organisation='{id}'] [data-field='members']")!.TextContent);
        Assert.Contains("organisation-requires-mfa", await ReasonCodesAsync(_scenario.Alice));
        var actions = await _scenario.Factory.WithDbAsync(db => db.AuditEvents.Where(e => e.Actor == _scenario.Root).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.Equal([AuditActions.OrganisationCreated, AuditActions.OrganisationMembershipChanged, AuditActions.OrganisationMfaChanged], actions);
    }

    [Fact]
    public async Task RemovesAMember_WhoIsThenNoLongerRequiredToUseMfa()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var id = await CreateAsync(admin, "Contoso", requireMfa: true);
        var members = await admin.GetPageAsync($"/admin/organisations/{id}");
        members = await HtmlForms.ReadPageAsync(await admin.SubmitAsync(members, new Dictionary<string, string> { ["user"] = "alice" }, "#add-form"), members.Url);
        Assert.Contains("organisation-requires-mfa", await ReasonCodesAsync(_scenario.Alice));

        var removed = await HtmlForms.ReadPageAsync(
            await admin.SubmitAsync(members, new Dictionary<string, string>(), $"tr[data-user='{_scenario.Alice}'] .remove-form"), members.Url);

        Assert.Null(removed.Document.QuerySelector($"#members tr[data-user='{_scenario.Alice}']"));
        Assert.DoesNotContain("organisation-requires-mfa", await ReasonCodesAsync(_scenario.Alice));
    }

    [Fact]
    public async Task Refuses_AnUnknownUser_AsAMember()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var id = await CreateAsync(admin, "Contoso");
        var members = await admin.GetPageAsync($"/admin/organisations/{id}");

        var answer = await HtmlForms.ReadPageAsync(await admin.SubmitAsync(members, new Dictionary<string, string> { ["user"] = "nobody" }, "#add-form"), members.Url);

        Assert.Equal("No user has this username or email address.", answer.Document.QuerySelector("#members-error")!.TextContent);
        Assert.Empty(answer.Document.QuerySelectorAll("#members tbody tr"));
    }

    [Fact]
    public async Task Refuses_ADuplicateName()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        await CreateAsync(admin, "Contoso");
        var page = await admin.GetPageAsync("/admin/organisations");

        var answer = await HtmlForms.ReadPageAsync(await admin.SubmitAsync(page, new Dictionary<string, string> { ["name"] = " Contoso " }, "#create-form"), page.Url);

        Assert.Equal("An organisation with this name already exists.", answer.Document.QuerySelector("#organisations-error")!.TextContent);
        Assert.Single(answer.Document.QuerySelectorAll("#organisations tbody tr"));
    }

    [Fact]
    public async Task Deletes_OnlyAfterConfirmation()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var id = await CreateAsync(admin, "Contoso");
        var list = await admin.GetPageAsync("/admin/organisations");

        var asked = await HtmlForms.ReadPageAsync(await admin.SubmitAsync(list, new Dictionary<string, string>(), $"tr[data-organisation='{id}'] .delete-form"), list.Url);
        Assert.NotNull(asked.Document.QuerySelector("#confirm-delete"));
        Assert.NotNull(await _scenario.WithServiceAsync<OrganisationDirectory, OrganisationSummary?>(d => d.FindAsync(id, CancellationToken.None)));

        var deleted = await HtmlForms.ReadPageAsync(await admin.SubmitAsync(asked, new Dictionary<string, string>(), "#confirm-delete-form"), list.Url);

        Assert.Empty(deleted.Document.QuerySelectorAll("#organisations tbody tr"));
        Assert.Null(await _scenario.WithServiceAsync<OrganisationDirectory, OrganisationSummary?>(d => d.FindAsync(id, CancellationToken.None)));
    }

    [Fact]
    public async Task LetsTheHelpdeskRead_ButNotChange()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var id = await CreateAsync(admin, "Contoso");
        var adminList = await admin.GetPageAsync("/admin/organisations");
        using var helpdesk = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Hana);

        var list = await helpdesk.GetPageAsync("/admin/organisations");
        var token = (await helpdesk.GetPageAsync("/account/security")).Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        var toggle = await helpdesk.PostAsync("/admin/organisations?handler=RequireMfa", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["id"] = id, ["requireMfa"] = "true",
        }));

        Assert.NotNull(list.Document.QuerySelector($"tr[data-organisation='{id}']"));
        Assert.Null(list.Document.QuerySelector("#create-form"));
        Assert.Null(list.Document.QuerySelector(".require-mfa-form"));
        Assert.NotNull(adminList.Document.QuerySelector(".require-mfa-form"));
        Assert.Equal(HttpStatusCode.Forbidden, toggle.StatusCode);
        Assert.False((await _scenario.WithServiceAsync<OrganisationDirectory, OrganisationSummary?>(d => d.FindAsync(id, CancellationToken.None)))!.RequireMfa);
    }

    [Fact]
    public async Task ListsRoles_WithMemberCounts_AndWhetherTheSettingsEnforceMfaForThem()
    {
        await _scenario.WithServiceAsync<MfaSettingsStore, IReadOnlyList<string>>(async store =>
            await store.SaveAsync(await store.GetAsync(CancellationToken.None) with { EnforceFor = EnforcementScope.Roles, EnforcedRoles = ["HelpDesk"] }, "test", CancellationToken.None));
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);

        var page = await admin.GetPageAsync("/admin/organisations");

        Assert.Equal("1", page.Document.QuerySelector("tr[data-role='helpdesk'] [data-field='members']")!.TextContent);
        Assert.Equal("Yes", page.Document.QuerySelector("tr[data-role='helpdesk'] [data-field='mfa-enforced']")!.TextContent);
        Assert.Equal("No", page.Document.QuerySelector("tr[data-role='admin'] [data-field='mfa-enforced']")!.TextContent);
    }

    [Fact]
    public async Task CreatesARole_AndDeletesItWhileItHasNoMembers()
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var page = await admin.GetPageAsync("/admin/organisations");

        var created = await HtmlForms.ReadPageAsync(await admin.SubmitAsync(page, new Dictionary<string, string> { ["roleName"] = "auditors" }, "#create-role-form"), page.Url);
        Assert.Equal("0", created.Document.QuerySelector("tr[data-role='auditors'] [data-field='members']")!.TextContent);
        Assert.Null(created.Document.QuerySelector("tr[data-role='helpdesk'] .delete-role-form"));

        var deleted = await HtmlForms.ReadPageAsync(
            await admin.SubmitAsync(created, new Dictionary<string, string>(), "tr[data-role='auditors'] .delete-role-form"), page.Url);

        Assert.Null(deleted.Document.QuerySelector("tr[data-role='auditors']"));
        var actions = await _scenario.Factory.WithDbAsync(db => db.AuditEvents.Where(e => e.TargetType == "role").OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.Equal([AuditActions.RoleCreated, AuditActions.RoleDeleted], actions);
    }

    [Theory]
    [InlineData("helpdesk", "Only a role without members can be deleted.")]
    [InlineData("admin", "The administrators' role cannot be deleted.")]
    public async Task Refuses_ToDeleteARole_WithMembers_OrTheAdministrators(string role, string error)
    {
        using var admin = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Root);
        var page = await admin.GetPageAsync("/admin/organisations");
        // Forged: the page offers no delete button for a role with members.
        var token = page.Document.QuerySelector("#create-role-form input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        var response = await admin.PostAsync("/admin/organisations?handler=DeleteRole", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["roleName"] = role,
        }));

        var answer = await HtmlForms.ReadPageAsync(response, page.Url);
        Assert.Equal(error, answer.Document.QuerySelector("#organisations-error")!.TextContent);
        Assert.NotNull(answer.Document.QuerySelector($"tr[data-role='{role}']"));
    }
}
