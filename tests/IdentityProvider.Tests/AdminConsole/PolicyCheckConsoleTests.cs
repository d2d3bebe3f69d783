using System.Net;
using IdentityProvider.Policy;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>/admin/policy-check: the evaluator's decision for a user, a client and acr_values, with its reasons in order.</summary>
public sealed class PolicyCheckConsoleTests : IAsyncLifetime
{
    private SecurityConsoleScenario _scenario = null!;

    public async Task InitializeAsync() => _scenario = await SecurityConsoleScenario.CreateAsync();

    public async Task DisposeAsync() => await _scenario.DisposeAsync();

    private async Task PutAliceInAnOrganisationRequiringMfaAsync()
    {
        var organisation = await _scenario.WithServiceAsync<OrganisationDirectory, OrganisationSummary?>(d => d.CreateAsync("Contoso", true, "test", CancellationToken.None));
        Assert.True(await _scenario.WithServiceAsync<OrganisationDirectory, bool>(d => d.SetMembershipAsync(_scenario.Alice, organisation!.Id, "test", CancellationToken.None)));
    }

    private Task<IReadOnlyList<string>> ExpectedCodesAsync(IReadOnlyList<string> acrValues) =>
        _scenario.WithServiceAsync<PolicyCheck, IReadOnlyList<string>>(async check =>
            [.. (await check.EvaluateAsync(_scenario.Alice, "crm", acrValues, CancellationToken.None)).Decision!.Reasons.Select(r => r.Code)]);

    private static List<string> Codes(HtmlPage page) =>
        [.. page.Document.QuerySelectorAll("#reasons li").Select(li => li.GetAttribute("data-code")!)];

    [Fact]
    public async Task Explains_WhyAMemberOfAnOrganisationRequiringMfa_MustSetUpASecondFactor()
    {
        await PutAliceInAnOrganisationRequiringMfaAsync();
        using var helpdesk = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Hana);
        var form = await helpdesk.GetPageAsync("/admin/policy-check");

        var response = await helpdesk.GetAsync("/admin/policy-check?q=alice%40EXAMPLE.com&ClientId=crm");

        var page = await HtmlForms.ReadPageAsync(response, "/admin/policy-check");
        Assert.NotNull(form.Document.QuerySelector("#policy-check-client option[value='crm']"));
        Assert.Equal("alice", page.Document.QuerySelector("#checked-user")!.TextContent);
        Assert.Equal(["organisation-requires-mfa", "must-enrol"], Codes(page));
        Assert.Equal(await ExpectedCodesAsync([]), Codes(page));
        Assert.Equal(nameof(AssuranceLevel.Mfa), page.Document.QuerySelector("[data-field='required']")!.GetAttribute("data-value"));
        Assert.Equal(nameof(AssuranceLevel.Single), page.Document.QuerySelector("[data-field='reached']")!.GetAttribute("data-value"));
        Assert.Equal(nameof(EnrolmentDemand.Required), page.Document.QuerySelector("[data-field='enrolment']")!.GetAttribute("data-value"));
        Assert.Contains("Contoso", page.Document.QuerySelector("#reasons li[data-code='organisation-requires-mfa']")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lists_TheApplicationsDemandFirst_ForAcrValuesPhr()
    {
        await PutAliceInAnOrganisationRequiringMfaAsync();
        using var helpdesk = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Hana);

        var page = await helpdesk.GetPageAsync($"/admin/policy-check?UserId={_scenario.Alice}&ClientId=crm&AcrValues=phr");

        var codes = Codes(page);
        Assert.Equal("acr-values-requested", codes[0]);
        Assert.True(codes.IndexOf("acr-values-requested") < codes.IndexOf("organisation-requires-mfa"));
        Assert.Equal(await ExpectedCodesAsync(["phr"]), codes);
        Assert.Equal(nameof(AssuranceLevel.PhishingResistant), page.Document.QuerySelector("[data-field='required']")!.GetAttribute("data-value"));
        Assert.Equal("phr", page.Document.QuerySelector("#policy-check-acr")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Lists_TheMatchingUsers_WhenTheSearchNamesNoOneExactly()
    {
        using var helpdesk = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Hana);

        var page = await helpdesk.GetPageAsync("/admin/policy-check?q=example.com");

        Assert.Equal(3, page.Document.QuerySelectorAll("#user-matches li").Length);
        Assert.Null(page.Document.QuerySelector("#decision"));
    }

    [Fact]
    public async Task Says_SoForAnUnknownClient()
    {
        using var helpdesk = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Hana);

        var page = await helpdesk.GetPageAsync($"/admin/policy-check?UserId={_scenario.Alice}&ClientId=nope");

        Assert.Equal("This client is not registered.", page.Document.QuerySelector("#policy-check-error")!.TextContent);
        Assert.Null(page.Document.QuerySelector("#decision"));
    }

    [Fact]
    public async Task Refuses_AConsoleUserWithoutUsersRead()
    {
        // Alice holds no console permission at all.
        using var alice = await _scenario.SignedInWithTwoFactorsAsync(_scenario.Alice);

        var response = await alice.GetAsync($"/admin/policy-check?UserId={_scenario.Alice}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
