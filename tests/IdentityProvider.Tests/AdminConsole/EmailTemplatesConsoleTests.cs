using System.Net;
using IdentityProvider.Account;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Email;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.AdminConsole;

/// <summary>The console's email templates: an administrator's text is what the next message says, checked before it is kept.</summary>
public sealed class EmailTemplatesConsoleTests : IAsyncLifetime
{
    private const string Redirect = ConsoleHost.Redirect;
    private const string Password = ConsoleHost.Password;
    private const string Path = "/admin/email-templates/lost-device";
    private ConsoleHost _host = null!;

    private FakeTimeProvider _time => _host.Time;

    private IdentityProviderFactory _factory => _host.Factory;

    private string _secret => _host.Secret;

    private string _root => _host.RootId;

    private string _alice => _host.AliceId;

    public async Task InitializeAsync() => _host = await ConsoleHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ListsEveryTemplate_WithItsPlaceholders()
    {
        using var browser = await SignedInAsync(_root);

        var page = await browser.GetPageAsync("/admin/email-templates");

        Assert.Equal(["mfa-disabled", "lost-device", "email-sign-in-code", "passkey-request", "password-reset", "account-invitation"],
            page.Document.QuerySelectorAll("#email-templates tr[data-template]").Select(r => r.GetAttribute("data-template")));
        Assert.Contains("{link}", page.Document.QuerySelector("tr[data-template='lost-device']")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendsTheChangedText_InTheNextLostDeviceEmail()
    {
        using var browser = await SignedInAsync(_root);
        await EnrolTotpAsync(_alice);

        var response = await browser.PostFormAsync(await browser.GetPageAsync(Path), "#template-form",
            ("Subject", "Your recovery link, {user}"), ("TextBody", "Open {link} within {minutes} minutes."), ("HtmlBody", "<p><a href=\"{link}\">Recover</a></p>"));
        await RequestLostDeviceLinkAsync();

        var saved = await HtmlForms.ReadPageAsync(response, Path);
        Assert.NotNull(saved.Document.QuerySelector("#template-status"));
        var message = Assert.Single(await _factory.OutboxAsync());
        Assert.Equal("Your recovery link, alice", message.Subject);
        Assert.Matches(@"^Open http://localhost/account/lost-device/recover\?token=\S+ within \d+ minutes\.$", message.TextBody);
        Assert.StartsWith("<p><a href=\"http://localhost/account/lost-device/recover?token=", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(await AuditAsync(), e => e.Action == AuditActions.EmailTemplateChanged && e.TargetId == "lost-device" && e.Actor == _root);
    }

    [Fact]
    public async Task Rejects_AnUnknownPlaceholder_AndKeepsTheDefault()
    {
        using var browser = await SignedInAsync(_root);

        var response = await browser.PostFormAsync(await browser.GetPageAsync(Path), "#template-form",
            ("Subject", "Hello {user}"), ("TextBody", "Open {link} with {password}."), ("HtmlBody", "<p>{link}</p>"));

        var page = await HtmlForms.ReadPageAsync(response, Path);
        Assert.Contains("{password} is not a placeholder of this message", page.Document.QuerySelector("#form-errors")!.TextContent, StringComparison.Ordinal);
        Assert.False(await _factory.WithDbAsync(db => db.EmailTemplateOverrides.AnyAsync()));
    }

    [Fact]
    public async Task Rejects_ATemplateWithoutItsRequiredLink()
    {
        using var browser = await SignedInAsync(_root);

        var response = await browser.PostFormAsync(await browser.GetPageAsync(Path), "#template-form",
            ("Subject", "Hello {user}"), ("TextBody", "Ask your administrator."), ("HtmlBody", "<p>{link}</p>"));

        var page = await HtmlForms.ReadPageAsync(response, Path);
        Assert.Contains("{link} must stay", page.Document.QuerySelector("#form-errors")!.TextContent, StringComparison.Ordinal);
        Assert.False(await _factory.WithDbAsync(db => db.EmailTemplateOverrides.AnyAsync()));
    }

    [Fact]
    public async Task ResetsToTheDefault()
    {
        using var browser = await SignedInAsync(_root);
        await EnrolTotpAsync(_alice);
        await browser.PostFormAsync(await browser.GetPageAsync(Path), "#template-form",
            ("Subject", "Changed"), ("TextBody", "{link}"), ("HtmlBody", "{link}"));

        var response = await browser.PostFormAsync(await browser.GetPageAsync(Path), "#reset-form");
        await RequestLostDeviceLinkAsync();

        var page = await HtmlForms.ReadPageAsync(response, Path);
        Assert.Equal(EmailTemplates.LostDevice.Subject, page.Document.QuerySelector("#subject")!.GetAttribute("value"));
        Assert.Equal(EmailTemplates.LostDevice.Subject, Assert.Single(await _factory.OutboxAsync()).Subject);
        Assert.False(await _factory.WithDbAsync(db => db.EmailTemplateOverrides.AnyAsync()));
        Assert.Contains(await AuditAsync(), e => e.Action == AuditActions.EmailTemplateReset && e.TargetId == "lost-device");
    }

    [Fact]
    public async Task Previews_TheDraft_WithSampleValues_InASandbox_WithoutSavingIt()
    {
        using var browser = await SignedInAsync(_root);

        // The preview button posts the template form to the preview handler (its formaction).
        var response = await PreviewAsync(browser);

        var page = await HtmlForms.ReadPageAsync(response, Path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await _factory.WithDbAsync(db => db.EmailTemplateOverrides.AnyAsync()));
        Assert.Equal("For Alice Example", page.Document.QuerySelector("#preview-subject")!.TextContent);
        Assert.Equal("Open https://id.example.com/account/lost-device/recover?token=SAMPLE", page.Document.QuerySelector("#preview-text")!.TextContent);
        var frame = page.Document.QuerySelector("iframe#preview-html")!;
        Assert.Equal("", frame.GetAttribute("sandbox"));
        Assert.StartsWith("<p>https://id.example.com/", frame.GetAttribute("srcdoc"), StringComparison.Ordinal);
        Assert.Null(page.Document.QuerySelector("#preview script"));
    }

    [Fact]
    public async Task QueuesThePasskeyRequestEmail_OnceForAPendingRequest()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var requests = scope.ServiceProvider.GetRequiredService<PasskeyRequests>();

        await requests.RequestAsync(_alice, _root, CancellationToken.None);
        await requests.RequestAsync(_alice, _root, CancellationToken.None);

        var message = Assert.Single(await _factory.OutboxAsync());
        Assert.Equal(("alice@example.com", EmailTemplates.PasskeyRequest.Subject), (message.To, message.Subject));
        Assert.Contains("Hello alice,", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("http://localhost/account/login", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_AUserWithoutSecuritySettings_AndChangesNothing()
    {
        using var alice = await SignedInAsync(_alice);
        var token = (await alice.GetPageAsync("/account/security")).Document.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        var list = await alice.GetAsync("/admin/email-templates");
        var save = await alice.PostAsync(Path, new FormUrlEncodedContent([
            KeyValuePair.Create("__RequestVerificationToken", token), KeyValuePair.Create("Subject", "Phish"),
            KeyValuePair.Create("TextBody", "{link}"), KeyValuePair.Create("HtmlBody", "{link}")]));

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, save.StatusCode);
        Assert.False(await _factory.WithDbAsync(db => db.EmailTemplateOverrides.AnyAsync()));
    }

    private async Task<HttpResponseMessage> PreviewAsync(HttpClient browser)
    {
        var page = await browser.GetPageAsync(Path);
        var token = page.Document.QuerySelector("#template-form input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        return await browser.PostAsync(Path + "?handler=preview", new FormUrlEncodedContent([
            KeyValuePair.Create("__RequestVerificationToken", token), KeyValuePair.Create("Subject", "For {user}"),
            KeyValuePair.Create("TextBody", "Open {link}"), KeyValuePair.Create("HtmlBody", "<p>{link}</p><script>alert(1)</script>")]));
    }

    private async Task RequestLostDeviceLinkAsync()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<LostDeviceRecovery>().RequestAsync("alice", CancellationToken.None);
    }

    private Task<List<AuditEvent>> AuditAsync() => _factory.WithDbAsync(db => db.AuditEvents.AsNoTracking().ToListAsync());

    private async Task EnrolTotpAsync(string userId)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
        var enrolment = await totp.BeginEnrolmentAsync(userId, "alice@example.com", CancellationToken.None);
        Assert.True(await totp.ActivateAsync(userId, Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), _time.GetUtcNow()), CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(30));
    }

    private HttpClient NewBrowser() => _host.NewBrowser();


    private Task<HttpClient> SignedInAsync(string userId) => _host.SignedInAsync(userId);
}
