using System.Net;
using IdentityProvider.Federation;
using IdentityProvider.Federation.Providers;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>
/// The console's sign-in providers: listed from configuration and the database, added, edited with a
/// write-only secret, removed; reading under users.read, changes under security.manage_settings.
/// </summary>
public sealed class UpstreamProvidersConsoleTests : IAsyncLifetime
{
    private const string Secret = "upstream-secret-Vt93kQ";
    private const string NewSecret = "replacement-secret-Hw27pL";
    private ConsoleHost _host = null!;

    private IdentityProviderFactory _factory => _host.Factory;

    public async Task InitializeAsync() => _host = await ConsoleHost.StartAsync(new Dictionary<string, string>
    {
        ["Federation:Providers:0:Id"] = "configured",
        ["Federation:Providers:0:DisplayName"] = "Configured IdP",
        ["Federation:Providers:0:Issuer"] = "https://login.configured.example",
        ["Federation:Providers:0:ClientId"] = "idp",
        ["Federation:Providers:0:ClientSecret"] = "from-config-secret",
        ["Federation:Providers:0:MfaRule"] = "trust-upstream-amr",
        // A helpdesk may look, not change.
        ["Administration:RolePermissions:helpdesk:0"] = "users.read",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static (string, string)[] Fields(string id = "entra", string issuer = "https://login.contoso.example/v2.0", string secret = Secret, string mfaRule = "require-local") =>
    [
        ("Form.Id", id), ("Form.DisplayName", "Contoso"), ("Form.Issuer", issuer), ("Form.ClientId", "our-client"),
        ("Form.ClientSecret", secret), ("Form.ClientAuthentication", "client_secret_post"), ("Form.Scopes", "openid email\nprofile"),
        ("Form.SubjectClaim", "sub"), ("Form.EmailClaim", "email"), ("Form.NameClaim", "name"), ("Form.GroupsClaim", "groups"),
        ("Form.MfaRule", mfaRule), ("Form.ProvisionUsers", "true"), ("Form.Domains", "contoso.example\nCONTOSO.org"), ("Form.Enabled", "true"),
    ];

    private async Task CreateEntraAsync()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var change = await scope.ServiceProvider.GetRequiredService<UpstreamProviderManager>().CreateAsync(new UpstreamProvider(
            "entra", "Contoso", "https://login.contoso.example/v2.0", "our-client", UpstreamClientAuthentication.ClientSecretBasic, ["openid"],
            new UpstreamClaimMapping(), FederatedMfaRule.Bypass, ProvisionUsers: true, LinkByEmail: false, [], Enabled: true), Secret, "test", CancellationToken.None);
        Assert.True(change.Succeeded, string.Join(" ", change.Problems));
    }

    private async Task<string> SecretOfAsync(string id)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<IUpstreamProviderDirectory>().GetClientSecretAsync(id, CancellationToken.None))!;
    }

    private async Task LinkAliceAsync(string providerId)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = (await users.FindByIdAsync(_host.AliceId))!;
        Assert.True((await users.AddLoginAsync(alice, new UserLoginInfo(providerId, "upstream-sub-1", "Contoso"))).Succeeded);
    }

    private Task<int> ProviderRowsAsync() => _factory.WithDbAsync(db => db.UpstreamProviders.CountAsync());

    private Task<List<string>> AuditActionsAsync() => _factory.WithDbAsync(db => db.AuditEvents.Select(e => e.Action).ToListAsync());

    [Fact]
    public async Task Lists_ConfigurationAndConsoleProviders_WithTheCallbackUrl_TheRuleInWords_AndTheLinkedUsers()
    {
        await CreateEntraAsync();
        await LinkAliceAsync("entra");
        using var browser = await _host.SignedInAsync(_host.RootId);

        var page = await browser.GetPageAsync("/admin/federation");

        var configured = page.Document.QuerySelector("tr[data-provider='configured']")!;
        var entra = page.Document.QuerySelector("tr[data-provider='entra']")!;
        Assert.Equal("http://localhost/federation/configured/callback", configured.QuerySelector("[data-column='callback']")!.TextContent);
        Assert.Equal("http://localhost/federation/entra/callback", entra.QuerySelector("[data-column='callback']")!.TextContent);
        Assert.Equal("Configuration", configured.QuerySelector("[data-column='source']")!.TextContent);
        Assert.Equal("Console", entra.QuerySelector("[data-column='source']")!.TextContent);
        Assert.Equal("Trust the upstream's amr/acr", configured.QuerySelector("[data-column='mfa-rule']")!.TextContent.Trim());
        Assert.Equal("Bypass: the upstream sign-in is enough", entra.QuerySelector("[data-column='mfa-rule']")!.TextContent.Trim());
        Assert.Equal(("0", "1"), (configured.QuerySelector("[data-column='linked-users']")!.TextContent, entra.QuerySelector("[data-column='linked-users']")!.TextContent));
        Assert.NotNull(page.Document.QuerySelector("a[href='/admin/federation']"));
        Assert.DoesNotContain("from-config-secret", page.Document.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, page.Document.Source.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adds_AProvider_StoringTheSecretEncrypted_AndAuditingIt()
    {
        using var browser = await _host.SignedInAsync(_host.RootId);
        var form = await browser.GetPageAsync("/admin/federation/new");

        var response = await browser.PostFormAsync(form, "#provider-form", Fields());

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/admin/federation/entra?created=true", response.Headers.Location?.OriginalString);
        var row = await _factory.WithDbAsync(db => db.UpstreamProviders.SingleAsync(p => p.Id == "entra"));
        Assert.Equal(("client_secret_post", "openid email profile", "require-local", "contoso.example contoso.org", "groups"),
            (row.ClientAuthentication, row.Scopes, row.MfaRule, row.Domains, row.GroupsClaim));
        Assert.DoesNotContain(Secret, row.ProtectedClientSecret, StringComparison.Ordinal);
        Assert.Equal(Secret, await SecretOfAsync("entra"));
        var audit = await _factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.FederationProviderCreated));
        Assert.Equal((_host.RootId, "entra"), (audit.Actor, audit.TargetId));
        var created = await browser.GetPageAsync(response.Headers.Location!.OriginalString);
        Assert.NotNull(created.Document.QuerySelector("#provider-created"));
        Assert.Equal("http://localhost/federation/entra/callback", created.Document.QuerySelector("#callback-url")!.TextContent);
    }

    [Fact]
    public async Task Rejects_AnInvalidProvider_WithEachProblemAtItsField_AndCreatesNothing()
    {
        using var browser = await _host.SignedInAsync(_host.RootId);
        var form = await browser.GetPageAsync("/admin/federation/new");

        var response = await browser.PostFormAsync(form, "#provider-form", Fields(id: "Entra!", issuer: "http://login.contoso.example"));
        var page = await HtmlForms.ReadPageAsync(response, "/admin/federation/new");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Id must be 1 to 40 characters", page.Document.QuerySelector("#id-error")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Issuer must be an absolute https URL", page.Document.QuerySelector("#issuer-error")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.Document.QuerySelector("#clientSecret-error"));
        // The secret typed is not echoed back into the form.
        Assert.DoesNotContain(Secret, page.Document.Source.Text, StringComparison.Ordinal);
        Assert.Equal(0, await ProviderRowsAsync());
        Assert.DoesNotContain(AuditActions.FederationProviderCreated, await AuditActionsAsync());
    }

    [Fact]
    public async Task Rejects_AnIdTakenByConfiguration_AtTheIdField()
    {
        using var browser = await _host.SignedInAsync(_host.RootId);
        var form = await browser.GetPageAsync("/admin/federation/new");

        var page = await HtmlForms.ReadPageAsync(await browser.PostFormAsync(form, "#provider-form", Fields(id: "configured")), "/admin/federation/new");

        Assert.Contains("already used", page.Document.QuerySelector("#id-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await ProviderRowsAsync());
    }

    [Fact]
    public async Task Edits_AProvider_KeepingTheStoredSecret_WhenTheFieldIsBlank()
    {
        await CreateEntraAsync();
        using var browser = await _host.SignedInAsync(_host.RootId);
        var edit = await browser.GetPageAsync("/admin/federation/entra");
        var before = await _factory.WithDbAsync(db => db.UpstreamProviders.SingleAsync());

        var response = await browser.PostFormAsync(edit, "#provider-form", Fields(secret: "", mfaRule: "trust-upstream-amr"));
        var page = await HtmlForms.ReadPageAsync(response, "/admin/federation/entra");

        Assert.NotNull(page.Document.QuerySelector("#provider-saved"));
        var row = await _factory.WithDbAsync(db => db.UpstreamProviders.SingleAsync());
        Assert.Equal(("trust-upstream-amr", "client_secret_post"), (row.MfaRule, row.ClientAuthentication));
        Assert.Equal(Secret, await SecretOfAsync("entra"));
        Assert.Contains(AuditActions.FederationProviderUpdated, await AuditActionsAsync());
        // The secret field is empty and the page carries neither the secret nor its ciphertext.
        Assert.Equal("", page.Document.QuerySelector("#client-secret")!.GetAttribute("value"));
        Assert.DoesNotContain(Secret, page.Document.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(before.ProtectedClientSecret!, page.Document.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, edit.Document.Source.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edits_AProvider_ReplacingTheSecret_WhenANewOneIsGiven()
    {
        await CreateEntraAsync();
        using var browser = await _host.SignedInAsync(_host.RootId);
        var edit = await browser.GetPageAsync("/admin/federation/entra");

        var page = await HtmlForms.ReadPageAsync(await browser.PostFormAsync(edit, "#provider-form", Fields(secret: NewSecret)), "/admin/federation/entra");

        Assert.NotNull(page.Document.QuerySelector("#provider-saved"));
        Assert.Equal(NewSecret, await SecretOfAsync("entra"));
        Assert.DoesNotContain(NewSecret, page.Document.Source.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_AnInvalidEdit_AndChangesNothing()
    {
        await CreateEntraAsync();
        using var browser = await _host.SignedInAsync(_host.RootId);
        var edit = await browser.GetPageAsync("/admin/federation/entra");
        var before = await _factory.WithDbAsync(db => db.UpstreamProviders.AsNoTracking().SingleAsync());

        var fields = Fields(secret: NewSecret).Select(f => f.Item1 == "Form.Scopes" ? ("Form.Scopes", "profile email") : f).ToArray();
        var page = await HtmlForms.ReadPageAsync(await browser.PostFormAsync(edit, "#provider-form", fields), "/admin/federation/entra");

        Assert.Contains("Scopes must include openid.", page.Document.QuerySelector("#scopes-error")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.Document.QuerySelector("#provider-saved"));
        var after = await _factory.WithDbAsync(db => db.UpstreamProviders.AsNoTracking().SingleAsync());
        Assert.Equal((before.Scopes, before.MfaRule, before.UpdatedAt), (after.Scopes, after.MfaRule, after.UpdatedAt));
        Assert.Equal(Secret, await SecretOfAsync("entra"));
    }

    [Fact]
    public async Task Removes_AProvider_OnlyWhenConfirmed_AndUnlinksItsUsers_WhoStay()
    {
        await CreateEntraAsync();
        await LinkAliceAsync("entra");
        using var browser = await _host.SignedInAsync(_host.RootId);
        var edit = await browser.GetPageAsync("/admin/federation/entra");

        var unconfirmed = await HtmlForms.ReadPageAsync(await browser.PostFormAsync(edit, "#remove-form"), "/admin/federation/entra");
        Assert.NotNull(unconfirmed.Document.QuerySelector("#form-errors"));
        Assert.Equal(1, await ProviderRowsAsync());

        var confirmed = await browser.PostFormAsync(edit, "#remove-form", ("Confirm", "true"));

        Assert.Equal(HttpStatusCode.SeeOther, confirmed.StatusCode);
        Assert.Equal("/admin/federation", confirmed.Headers.Location?.OriginalString);
        Assert.Equal(0, await ProviderRowsAsync());
        Assert.False(await _factory.WithDbAsync(db => db.UserLogins.AnyAsync(l => l.LoginProvider == "entra")));
        Assert.True(await _factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == _host.AliceId)));
        var audit = await _factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.FederationProviderRemoved));
        Assert.Equal(("entra", "unlinked users: 1"), (audit.TargetId, audit.Details));
    }

    [Fact]
    public async Task Shows_AConfigurationProvider_ReadOnly_AndRefusesAPostedChangeOrRemoval()
    {
        using var browser = await _host.SignedInAsync(_host.RootId);
        var page = await browser.GetPageAsync("/admin/federation/configured");
        // Any of the administrator's forms carries a token valid for the whole session.
        var token = (await browser.GetPageAsync("/admin/federation/new")).Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        Assert.NotNull(page.Document.QuerySelector("#configured-note"));
        Assert.Null(page.Document.QuerySelector("#provider-form"));
        Assert.Null(page.Document.QuerySelector("#remove-form"));
        Assert.DoesNotContain("from-config-secret", page.Document.Source.Text, StringComparison.Ordinal);

        var save = await browser.PostAsync("/admin/federation/configured", new FormUrlEncodedContent(
            Fields(id: "configured").Append(("__RequestVerificationToken", token)).Select(f => KeyValuePair.Create(f.Item1, f.Item2))));
        var remove = await browser.PostAsync("/admin/federation/configured?handler=remove", new FormUrlEncodedContent(
            [KeyValuePair.Create("__RequestVerificationToken", token), KeyValuePair.Create("Confirm", "true")]));

        Assert.Contains("defined in configuration", (await HtmlForms.ReadPageAsync(save, "/admin/federation/configured")).Document.QuerySelector("#form-errors")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("defined in configuration", (await HtmlForms.ReadPageAsync(remove, "/admin/federation/configured")).Document.QuerySelector("#form-errors")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await ProviderRowsAsync());
        Assert.DoesNotContain(await AuditActionsAsync(), a => a.StartsWith("federation.provider_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refuses_AUserWithoutThePermissions_AndChangesNothing()
    {
        await CreateEntraAsync();
        using var alice = await _host.SignedInAsync(_host.AliceId);
        var aliceToken = (await alice.GetPageAsync("/account/security")).Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        var list = await alice.GetAsync("/admin/federation");
        var create = await alice.PostAsync("/admin/federation/new", new FormUrlEncodedContent(
            Fields(id: "evil").Append(("__RequestVerificationToken", aliceToken)).Select(f => KeyValuePair.Create(f.Item1, f.Item2))));
        var remove = await alice.PostAsync("/admin/federation/entra?handler=remove", new FormUrlEncodedContent(
            [KeyValuePair.Create("__RequestVerificationToken", aliceToken), KeyValuePair.Create("Confirm", "true")]));

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, remove.StatusCode);
        Assert.Equal(["entra"], await _factory.WithDbAsync(db => db.UpstreamProviders.Select(p => p.Id).ToListAsync()));
    }

    [Fact]
    public async Task Lets_AReaderLook_ButNotChange()
    {
        await CreateEntraAsync();
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().CreateAsync(new IdentityRole("helpdesk"));
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.AddToRoleAsync((await users.FindByIdAsync(_host.AliceId))!, "helpdesk")).Succeeded);
        }

        using var alice = await _host.SignedInAsync(_host.AliceId);
        var list = await alice.GetPageAsync("/admin/federation");
        var detail = await alice.GetPageAsync("/admin/federation/entra");
        var token = detail.Document.QuerySelector("input[name='__RequestVerificationToken']")?.GetAttribute("value")
            ?? (await alice.GetPageAsync("/account/security")).Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        var save = await alice.PostAsync("/admin/federation/entra", new FormUrlEncodedContent(
            Fields(secret: NewSecret).Append(("__RequestVerificationToken", token)).Select(f => KeyValuePair.Create(f.Item1, f.Item2))));

        Assert.NotNull(list.Document.QuerySelector("tr[data-provider='entra']"));
        Assert.Null(list.Document.QuerySelector("#new-provider"));
        Assert.Null(detail.Document.QuerySelector("#provider-form"));
        Assert.Equal(HttpStatusCode.Forbidden, save.StatusCode);
        Assert.Equal(Secret, await SecretOfAsync("entra"));
        Assert.Equal("client_secret_basic", await _factory.WithDbAsync(db => db.UpstreamProviders.Select(p => p.ClientAuthentication).SingleAsync()));
    }

    [Fact]
    public async Task Refuses_APostWithoutTheAntiforgeryToken_AndCreatesNothing()
    {
        using var browser = await _host.SignedInAsync(_host.RootId);
        await browser.GetPageAsync("/admin/federation/new");

        var response = await browser.PostAsync("/admin/federation/new", new FormUrlEncodedContent(Fields().Select(f => KeyValuePair.Create(f.Item1, f.Item2))));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await ProviderRowsAsync());
    }
}
