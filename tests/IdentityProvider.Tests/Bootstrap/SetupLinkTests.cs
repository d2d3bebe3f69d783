using System.Net;
using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Bootstrap;

public sealed class SqliteSetupLinkTests : SetupLinkTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSetupLinkTests(PostgresCluster cluster) : SetupLinkTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

public abstract class SetupLinkTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private HttpClient _client = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database, _time);
        _client = _factory.CreateBrowserlessClient();
    }

    private string SetupPath => Assert.Single(_factory.SetupLinks.Links).Url.PathAndQuery;

    [Fact]
    public async Task FirstStart_WithoutAdministrator_AnnouncesALinkOnTheIssuer()
    {
        var link = Assert.Single(_factory.SetupLinks.Links);

        Assert.StartsWith(IdentityProviderFactory.Issuer + "/setup?token=", link.Url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow().AddHours(1), link.ExpiresAt);
    }

    [Fact]
    public async Task TheLink_StoresOnlyAHash_AndNeverReachesTheLog()
    {
        var token = SetupPath.Split("token=")[1];

        var stored = await _factory.WithDbAsync(db => db.SetupTokens.SingleAsync());

        Assert.NotEqual(token, stored.TokenHash);
        Assert.Equal(64, stored.TokenHash.Length);
        Assert.DoesNotContain(_factory.Logs.Lines, line => line.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheLink_CreatesTheFirstAdministrator_Once()
    {
        var page = await _client.GetPageAsync(SetupPath);

        var response = await _client.SubmitAsync(page, Form("ada@example.com"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/Setup/Done", response.Headers.Location?.OriginalString);
        var admin = await _factory.WithDbAsync(db => db.Users.SingleAsync());
        Assert.Equal("ada@example.com", admin.Email);
        Assert.Equal("Ada Lovelace", admin.DisplayName);
        Assert.NotEqual(Password, admin.PasswordHash);
        Assert.True(await _factory.WithDbAsync(db => db.UserRoles.AnyAsync(r => r.UserId == admin.Id)));
        var audit = await _factory.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == AuditActions.AdministratorCreated));
        Assert.Equal(admin.Id, audit.TargetId);

        var again = await _client.GetPageAsync(SetupPath);
        Assert.Contains("This setup link has already been used.", again.Text, StringComparison.Ordinal);
        Assert.Null(again.Form());
    }

    [Fact]
    public async Task ASecondSubmission_OfTheSameForm_CreatesNoSecondAccount()
    {
        var page = await _client.GetPageAsync(SetupPath);
        await _client.SubmitAsync(page, Form("ada@example.com"));

        var replay = await _client.SubmitAsync(page, Form("mallory@example.com"));

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("This setup link has already been used.", (await HtmlForms.ReadPageAsync(replay, SetupPath)).Text, StringComparison.Ordinal);
        Assert.Equal(1, await _factory.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Rejects_WhenTheLinkHasExpired()
    {
        var page = await _client.GetPageAsync(SetupPath);
        _time.Advance(TimeSpan.FromHours(1));

        var response = await _client.SubmitAsync(page, Form("ada@example.com"));

        Assert.Contains("This setup link has expired.", (await HtmlForms.ReadPageAsync(response, SetupPath)).Text, StringComparison.Ordinal);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Contains("expired", (await _client.GetPageAsync(SetupPath)).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/setup?token=not-a-real-token")]
    [InlineData("/setup")]
    public async Task Rejects_WhenTheTokenIsUnknownOrMissing(string path)
    {
        var page = await _client.GetPageAsync(path);

        Assert.Contains("This setup link is not valid.", page.Text, StringComparison.Ordinal);
        Assert.Null(page.Form());
    }

    [Fact]
    public async Task Rejects_AWeakPassword_WithoutUsingUpTheLink()
    {
        var page = await _client.GetPageAsync(SetupPath);

        var response = await _client.SubmitAsync(page, Form("ada@example.com", password: "short"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("at least 12 characters", (await HtmlForms.ReadPageAsync(response, SetupPath)).Text, StringComparison.Ordinal);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.Users.CountAsync()));
        var retry = await _client.GetPageAsync(SetupPath);
        Assert.NotNull(retry.Form());
    }

    [Fact]
    public async Task Rejects_APostWithoutTheAntiforgeryToken()
    {
        var page = await _client.GetPageAsync(SetupPath);
        var values = Form("ada@example.com");
        values["__RequestVerificationToken"] = "";

        var response = await _client.SubmitAsync(page, values);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task ConcurrentRedemptions_CreateExactlyOneAdministrator()
    {
        var page = await _client.GetPageAsync(SetupPath);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(i => _client.SubmitAsync(page, Form($"admin{i}@example.com"))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.SeeOther);
        // The others lose the race and are told so on the page; none fails with a server error.
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.SeeOther, HttpStatusCode.OK }));
        Assert.Equal(1, await _factory.WithDbAsync(db => db.Users.CountAsync()));
    }

    private static Dictionary<string, string> Form(string email, string password = Password) => new()
    {
        ["Input.Email"] = email,
        ["Input.DisplayName"] = "Ada Lovelace",
        ["Input.Password"] = password,
        ["Input.ConfirmPassword"] = password,
    };

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
    }
}
