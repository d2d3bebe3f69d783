using System.Net;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>The console's clients section: register, edit, rotate, remove, each behind clients.manage.</summary>
public sealed class ClientsConsoleTests : IAsyncLifetime
{
    private const string Redirect = ConsoleHost.Redirect;
    private const string Password = ConsoleHost.Password;
    private ConsoleHost _host = null!;

    private FakeTimeProvider _time => _host.Time;

    private IdentityProviderFactory _factory => _host.Factory;

    private string _secret => _host.Secret;

    private string _root => _host.RootId;

    private string _alice => _host.AliceId;

    public async Task InitializeAsync() => _host = await ConsoleHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Registers_AClient_ShowingItsSecretOnce_AndStoringOnlyItsHash()
    {
        using var browser = await SignedInAsync(_root);
        var form = await browser.GetPageAsync("/admin/clients/new");

        var response = await browser.PostFormAsync(form, "#client-form",
            ("Form.ClientId", "billing"), ("Form.Type", "confidential"), ("Form.RedirectUris", "https://billing.example.com/cb"),
            ("Form.GrantTypes", GrantTypes.AuthorizationCode), ("Form.GrantTypes", GrantTypes.RefreshToken),
            ("Form.Scopes", "openid profile"), ("Form.RequirePkce", "true"), ("Form.RequireConsent", "true"), ("Form.RequiredAcr", "mfa"));
        var page = await HtmlForms.ReadPageAsync(response, "/admin/clients/new");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var secret = page.Document.QuerySelector("#secret-value")!.TextContent;
        Assert.False(string.IsNullOrWhiteSpace(secret));
        var stored = await _factory.WithDbAsync(db => db.Clients.Include(c => c.Secrets).SingleAsync(c => c.ClientId == "billing"));
        Assert.Equal(ClientSecretHasher.Hash(secret), Assert.Single(stored.Secrets).SecretHash);
        Assert.Equal(("authorization_code refresh_token", "openid profile", true, "mfa"), (stored.AllowedGrantTypes, stored.AllowedScopes, stored.RequireConsent, stored.RequiredAcr));
        // Shown once: neither the list nor the client's own page carries it again.
        Assert.DoesNotContain(secret, await browser.GetStringAsync("/admin/clients"), StringComparison.Ordinal);
        var edit = await browser.GetStringAsync("/admin/clients/billing");
        Assert.DoesNotContain(secret, edit, StringComparison.Ordinal);
        Assert.DoesNotContain(stored.Secrets.Single().SecretHash, edit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_AnInvalidRegistration_WithTheValidatorsReason()
    {
        using var browser = await SignedInAsync(_root);
        var form = await browser.GetPageAsync("/admin/clients/new");

        var response = await browser.PostFormAsync(form, "#client-form",
            ("Form.ClientId", "billing"), ("Form.Type", "confidential"), ("Form.RedirectUris", "http://billing.example.com/cb"),
            ("Form.GrantTypes", GrantTypes.AuthorizationCode), ("Form.Scopes", "openid"));
        var page = await HtmlForms.ReadPageAsync(response, "/admin/clients/new");

        Assert.Contains("must use https", page.Document.QuerySelector("#form-errors")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.Document.QuerySelector("#secret-value"));
        Assert.False(await _factory.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "billing")));
    }

    [Fact]
    public async Task Edits_TheRedirectUris_AndTheAuthorizationEndpointThenRefusesTheRemovedOne()
    {
        const string second = "https://crm.example.com/other-cb";
        using var browser = await SignedInAsync(_root);
        var edit = await browser.GetPageAsync("/admin/clients/crm");
        await browser.PostFormAsync(edit, "#client-form", EditFields(Redirect + "\n" + second));
        using var relyingParty = NewBrowser();
        var allowed = await relyingParty.GetAsync(new CodeFlow(relyingParty, "crm", second).AuthorizeUrl("openid"));
        Assert.Equal(HttpStatusCode.Found, allowed.StatusCode);

        var response = await browser.PostFormAsync(await browser.GetPageAsync("/admin/clients/crm"), "#client-form", EditFields(Redirect));

        var saved = await HtmlForms.ReadPageAsync(response, "/admin/clients/crm");
        Assert.NotNull(saved.Document.QuerySelector("#client-saved"));
        var refused = await relyingParty.GetAsync(new CodeFlow(relyingParty, "crm", second).AuthorizeUrl("openid"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Null(refused.Headers.Location);
        Assert.Contains(await AuditActionsAsync(), a => a == AuditActions.ClientUpdated);
    }

    [Fact]
    public async Task Rotates_TheSecret_ShowingTheNewOneOnce_AndKeepingTheOldOneForTheOverlap()
    {
        using var browser = await SignedInAsync(_root);
        var edit = await browser.GetPageAsync("/admin/clients/crm");

        var response = await browser.PostFormAsync(edit, "#rotate-form");
        var page = await HtmlForms.ReadPageAsync(response, "/admin/clients/crm");

        var secret = page.Document.QuerySelector("#secret-value")!.TextContent;
        var secrets = await _factory.WithDbAsync(db => db.ClientSecrets.Where(s => s.ClientId == "crm").ToListAsync());
        Assert.Equal(2, secrets.Count);
        Assert.Contains(secrets, s => s.SecretHash == ClientSecretHasher.Hash(secret) && s.ExpiresAt is null);
        Assert.Contains(secrets, s => s.SecretHash == ClientSecretHasher.Hash(_secret) && s.ExpiresAt == _time.GetUtcNow().AddDays(1));
        Assert.DoesNotContain(secret, await browser.GetStringAsync("/admin/clients/crm"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removes_AClient_OnlyWhenConfirmed()
    {
        using var browser = await SignedInAsync(_root);
        var edit = await browser.GetPageAsync("/admin/clients/crm");

        var unconfirmed = await HtmlForms.ReadPageAsync(await browser.PostFormAsync(edit, "#remove-form"), "/admin/clients/crm");
        Assert.NotNull(unconfirmed.Document.QuerySelector("#form-errors"));
        Assert.True(await _factory.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "crm")));

        var confirmed = await browser.PostFormAsync(edit, "#remove-form", ("Confirm", "true"));

        Assert.Equal("/admin/clients", confirmed.Headers.Location?.OriginalString);
        Assert.False(await _factory.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "crm")));
    }

    [Fact]
    public async Task Refuses_AUserWithoutClientsManage_AndChangesNothing()
    {
        using var admin = await SignedInAsync(_root);
        var edit = await admin.GetPageAsync("/admin/clients/crm");
        using var alice = await SignedInAsync(_alice);
        // Alice replays the administrator's form with her own session's antiforgery token.
        var aliceToken = await AntiforgeryPageAsync(alice);

        var list = await alice.GetAsync("/admin/clients");
        var rotate = await alice.PostAsync("/admin/clients/crm?handler=rotate", new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", aliceToken)]));
        var remove = await alice.PostAsync("/admin/clients/crm?handler=remove", new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", aliceToken), KeyValuePair.Create("Confirm", "true")]));

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, rotate.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, remove.StatusCode);
        var secrets = await _factory.WithDbAsync(db => db.ClientSecrets.Where(s => s.ClientId == "crm").ToListAsync());
        Assert.Equal(ClientSecretHasher.Hash(_secret), Assert.Single(secrets).SecretHash);
        Assert.NotNull(edit.Document.QuerySelector("#rotate-form"));
    }

    private static (string, string)[] EditFields(string redirectUris) =>
    [
        ("Form.RedirectUris", redirectUris), ("Form.GrantTypes", GrantTypes.AuthorizationCode), ("Form.Scopes", "openid"), ("Form.RequirePkce", "true"),
    ];

    // Any page of Alice's with a form: My account's security page carries her antiforgery token.
    private static async Task<string> AntiforgeryPageAsync(HttpClient browser)
    {
        var page = await browser.GetPageAsync("/account/security");
        return page.Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
    }

    private Task<List<string>> AuditActionsAsync() => _factory.WithDbAsync(db => db.AuditEvents.Select(e => e.Action).ToListAsync());

    private HttpClient NewBrowser() => _host.NewBrowser();


    private Task<HttpClient> SignedInAsync(string userId) => _host.SignedInAsync(userId);
}
