using System.Net;
using System.Text.Json;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteEmailTemplatesApiTests : EmailTemplatesApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresEmailTemplatesApiTests(PostgresCluster cluster) : EmailTemplatesApiTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>The messages the provider sends, through <c>/admin/api/email-templates</c>.</summary>
public abstract class EmailTemplatesApiTests : IAsyncLifetime
{
    private const string Path = "/admin/api/email-templates";

    private const string Code = Path + "/email-sign-in-code";

    private AdminApiHost _host = null!;

    /// <summary>A client token with security.manage_settings, the console page's permission.</summary>
    private string _policy = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    private static object Valid() => new
    {
        subject = "Code for {user}",
        textBody = "Your code: {code} ({minutes} minutes)",
        htmlBody = "<p>Your code: <b>{code}</b></p>",
    };

    public async Task InitializeAsync()
    {
        _host = await AdminApiHost.StartAsync(await CreateDatabaseAsync());
        _policy = await _host.ClientTokenAsync("policy");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<int> OverridesAsync() => _host.Factory.WithDbAsync(db => db.EmailTemplateOverrides.CountAsync());

    private Task<int> AuditedAsync(string action) => _host.Factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == action));

    [Fact]
    public async Task Lists_EveryTemplate_WithItsDefaultText_AndPlaceholders()
    {
        var list = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, Path, _policy));

        Assert.Equal(EmailTemplates.All.Select(t => t.Name), list.EnumerateArray().Select(t => t.GetProperty("key").GetString()));
        var code = list.EnumerateArray().Single(t => t.GetProperty("key").GetString() == "email-sign-in-code");
        Assert.Equal(EmailTemplates.EmailSignInCode.Subject, code.GetProperty("subject").GetString());
        Assert.Equal(EmailTemplates.EmailSignInCode.HtmlBody, code.GetProperty("htmlBody").GetString());
        Assert.Equal(["user", "code", "minutes"], code.GetProperty("placeholders").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["code"], code.GetProperty("requiredPlaceholders").EnumerateArray().Select(p => p.GetString()));
        Assert.False(code.GetProperty("overridden").GetBoolean());
    }

    [Fact]
    public async Task Saves_ATemplate_ThatTheNextMessageUses_AndAuditsIt()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Put, Code, _policy, Valid());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var read = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, Code, _policy));
        Assert.True(read.GetProperty("overridden").GetBoolean());
        Assert.Equal("Code for {user}", read.GetProperty("subject").GetString());
        Assert.Equal("client:policy", read.GetProperty("updatedBy").GetString());
        // What a sender renders now: the saved text, not the default.
        await using var scope = _host.Factory.Services.CreateAsyncScope();
        var message = await scope.ServiceProvider.GetRequiredService<EmailTemplateStore>().RenderAsync(
            EmailTemplates.EmailSignInCode, "bob@example.com", new Dictionary<string, string> { ["user"] = "Bob", ["code"] = "654321", ["minutes"] = "10" }, CancellationToken.None);
        Assert.Equal(("Code for Bob", "Your code: 654321 (10 minutes)"), (message.Subject, message.TextBody));
        var audit = await _host.Factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.EmailTemplateChanged));
        Assert.Equal(("client:policy", "email-sign-in-code"), (audit.Actor, audit.TargetId));
    }

    public static TheoryData<string, object, string, string> InvalidTemplates => new()
    {
        { "an unknown placeholder", new { subject = "Hi {user}", textBody = "{code} {link}", htmlBody = "<p>{code}</p>" }, "textBody", "{link} is not a placeholder" },
        { "the code dropped from the HTML", new { subject = "Hi", textBody = "{code}", htmlBody = "<p>no code</p>" }, "htmlBody", "{code} must stay" },
        { "an empty subject", new { subject = " ", textBody = "{code}", htmlBody = "<p>{code}</p>" }, "subject", "must not be empty" },
        { "a subject over 200 characters", new { subject = new string('s', 201), textBody = "{code}", htmlBody = "<p>{code}</p>" }, "subject", "at most 200" },
        { "a text body over 20000 characters", new { subject = "Hi", textBody = "{code}" + new string('t', 20000), htmlBody = "<p>{code}</p>" }, "textBody", "at most 20000" },
    };

    [Theory]
    [MemberData(nameof(InvalidTemplates))]
    public async Task Rejects_ATemplateTheConsoleRefuses_NamingTheField_AndSavesNothing(string _, object body, string field, string expected)
    {
        var response = await _host.SendJsonAsync(HttpMethod.Put, Code, _policy, body);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains(expected, errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await OverridesAsync());
        Assert.Equal(0, await AuditedAsync(AuditActions.EmailTemplateChanged));
    }

    [Fact]
    public async Task Rejects_ABodyWithoutEveryMember()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Put, Code, _policy, new { subject = "Hi" });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["'textBody' is required.", "'htmlBody' is required."], Problems.ListOf(problem));
        Assert.Equal(0, await OverridesAsync());
    }

    [Fact]
    public async Task Resets_ToTheDefault_AndAuditsIt()
    {
        Assert.Equal(HttpStatusCode.OK, (await _host.SendJsonAsync(HttpMethod.Put, Code, _policy, Valid())).StatusCode);

        var response = await _host.SendAsync(HttpMethod.Delete, Code, _policy);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var read = await CodeFlow.JsonAsync(await _host.SendAsync(HttpMethod.Get, Code, _policy));
        Assert.False(read.GetProperty("overridden").GetBoolean());
        Assert.Equal(EmailTemplates.EmailSignInCode.Subject, read.GetProperty("subject").GetString());
        Assert.Equal(0, await OverridesAsync());
        Assert.Equal(1, await AuditedAsync(AuditActions.EmailTemplateReset));
    }

    [Fact]
    public async Task Previews_ADraft_WithSampleValues_SavingNothing()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, Code + "/preview", _policy,
            new { subject = "Code for {user}", textBody = "Code {code}", htmlBody = "<p>{user}: {code}</p>" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = await CodeFlow.JsonAsync(response);
        Assert.Equal("Code for Alice Example", preview.GetProperty("subject").GetString());
        Assert.Equal("Code 123456", preview.GetProperty("textBody").GetString());
        Assert.Equal("<p>Alice Example: 123456</p>", preview.GetProperty("htmlBody").GetString());
        Assert.Equal(0, await OverridesAsync());
        Assert.Equal(0, await AuditedAsync(AuditActions.EmailTemplateChanged));
    }

    [Fact]
    public async Task Rejects_APreviewOfADraftThatCouldNotBeSaved()
    {
        var response = await _host.SendJsonAsync(HttpMethod.Post, Code + "/preview", _policy,
            new { subject = "Hi", textBody = "{code} {link}", htmlBody = "<p>{code}</p>" });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("{link} is not a placeholder", problem.GetProperty("errors").GetProperty("textBody")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PUT", "")]
    [InlineData("DELETE", "")]
    [InlineData("POST", "/preview")]
    public async Task Answers404_ForAnUnknownTemplate(string method, string suffix)
    {
        var response = await _host.SendJsonAsync(new HttpMethod(method), Path + "/no-such-message" + suffix, _policy, Valid());

        var problem = await Problems.AssertAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("no-such-message", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await OverridesAsync());
    }

    [Fact]
    public async Task Requires_SecurityManageSettings_ToReadAndToChange()
    {
        // users.read only: enough for the console's other pages, not for its email templates.
        var reader = await _host.ClientTokenAsync("reader");

        await Problems.AssertAsync(await _host.SendAsync(HttpMethod.Get, Path, reader), HttpStatusCode.Forbidden);
        await Problems.AssertAsync(await _host.SendAsync(HttpMethod.Get, Code, reader), HttpStatusCode.Forbidden);
        var put = await Problems.AssertAsync(await _host.SendJsonAsync(HttpMethod.Put, Code, reader, Valid()), HttpStatusCode.Forbidden);
        await Problems.AssertAsync(await _host.SendAsync(HttpMethod.Delete, Code, reader), HttpStatusCode.Forbidden);
        await Problems.AssertAsync(await _host.SendJsonAsync(HttpMethod.Post, Code + "/preview", reader, Valid()), HttpStatusCode.Forbidden);

        Assert.Contains("security.manage_settings", put.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await OverridesAsync());
    }
}
