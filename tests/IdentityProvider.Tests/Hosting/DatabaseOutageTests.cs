using System.Net;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Email;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// What a client sees while the database is down: 503 with Retry-After (RFC 9110 §15.6.4,
/// §10.2.3), in the shape the client understands, never a 500 or a stack trace; and answers again
/// once the database is back, with no restart. Each test stops a PostgreSQL cluster of its own:
/// stopping the shared one would break other tests.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(30);

    private readonly PostgresCluster _postgres = new();
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _database = await TestDatabase.PostgresAsync(_postgres);
        _factory = new IdentityProviderFactory(_database);
        _client = _factory.CreateBrowserlessClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task AnswersTheTokenEndpointWith503TemporarilyUnavailable_WhileTheDatabaseIsDown_AndRecoversByItself()
    {
        var secret = await RegisterClientAsync();
        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(await RedeemUnknownCodeAsync(secret)));

        await _postgres.StopAsync();
        var during = await RedeemUnknownCodeAsync(secret);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), during.Headers.RetryAfter?.Delta);
        Assert.Equal("application/json", during.Content.Headers.ContentType?.MediaType);
        Assert.True(during.Headers.CacheControl?.NoStore);
        // RFC 6749 §5.2 shape; the code is the one §4.1.2.1 defines for a temporary condition.
        Assert.Equal("temporarily_unavailable", await CodeFlow.ErrorOf(during));
        Assert.DoesNotContain("Npgsql", await during.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(_factory.Logs.Lines, l => l.Contains("answered 503: database unavailable", StringComparison.Ordinal));

        await _postgres.StartAsync();

        // Bounded: the unknown code is looked up in the database again, and refused as unknown.
        var deadline = DateTime.UtcNow + RecoveryDeadline;
        HttpResponseMessage after;
        do
        {
            await Task.Delay(200);
            after = await RedeemUnknownCodeAsync(secret);
        }
        while (after.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.BadRequest, after.StatusCode);
        Assert.Equal("invalid_grant", await CodeFlow.ErrorOf(after));
    }

    [Fact]
    public async Task ShowsAPageInTheBrowsersLanguage_NotAnErrorTrace_WhenAPageNeedsTheDownDatabase()
    {
        await _postgres.StopAsync();

        // The login page of a waiting authorization request reads the request from the database.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login?request=" + Guid.NewGuid().ToString("N"));
        request.Headers.AcceptLanguage.ParseAdd("de-DE,de;q=0.9,en;q=0.5");
        var response = await _client.SendAsync(request);
        var page = await HtmlForms.ReadPageAsync(response, request.RequestUri!.OriginalString);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("de", page.Document.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Vorübergehend nicht verfügbar", page.Document.QuerySelector("h1")!.TextContent);
        Assert.DoesNotContain("Exception", page.Document.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswersTheAdminApiWithProblemDetails503_WhileTheDatabaseIsDown_AndRecoversByItself()
    {
        await using var admin = await AdminApi.AdminApiHost.StartAsync(_database);
        var token = await admin.ClientTokenAsync("reader");
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Get, "/admin/api/users", token)).StatusCode);

        await _postgres.StopAsync();
        var during = await admin.SendAsync(HttpMethod.Get, "/admin/api/users", token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), during.Headers.RetryAfter?.Delta);
        // RFC 9457 problem details, as every other admin API error.
        Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
        var problem = await during.Content.ReadAsStringAsync();
        Assert.Contains("\"status\":503", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Npgsql", problem, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", problem, StringComparison.Ordinal);

        await _postgres.StartAsync();

        var deadline = DateTime.UtcNow + RecoveryDeadline;
        HttpResponseMessage after;
        do
        {
            await Task.Delay(200);
            after = await admin.SendAsync(HttpMethod.Get, "/admin/api/users", token);
        }
        while (after.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task SendsAnEmailQueuedBeforeTheOutage_OnceTheDatabaseIsBack()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = EmailHost.Configure(_factory, sink.Port);
        await app.QueueAsync(new EmailMessage("someone@example.com", "Queued before the outage", "Body"));
        var dispatcher = app.Dispatcher();

        await _postgres.StopAsync();
        // The dispatcher's loop logs this and tries again on its next round. EF reports a
        // connection the shutdown cut as "likely due to a transient failure" around Npgsql's error.
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => dispatcher.DrainOnceAsync(CancellationToken.None));
        Assert.True(IsFromTheDatabase(failed), failed.ToString());
        await _postgres.StartAsync();

        // Rounds as the dispatcher's timer would run them; each may meet a pooled connection that
        // died with the restart, and bounded, so a dispatcher that never recovers fails the test.
        var deadline = DateTime.UtcNow + RecoveryDeadline;
        var sent = 0;
        while (sent == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the queued email was not sent after the database came back");
            try
            {
                sent = await dispatcher.DrainOnceAsync(CancellationToken.None);
            }
            catch (Exception ex) when (IsFromTheDatabase(ex))
            {
                await Task.Delay(200);
            }
        }

        Assert.Equal(1, sent);
        Assert.Equal("Queued before the outage", Assert.Single(await sink.WaitForAsync(1)).Subject);
        Assert.All(await app.OutboxAsync(), row => Assert.Equal(EmailOutboxStatus.Sent, row.Status));
    }

    private static bool IsFromTheDatabase(Exception ex) => ex is Npgsql.NpgsqlException || ex.InnerException is Npgsql.NpgsqlException;

    private async Task<string> RegisterClientAsync()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var added = await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm",
            RedirectUris = ["https://crm.example.com/cb"],
            GrantTypes = [GrantTypes.AuthorizationCode],
            Scopes = ["openid"],
        }, "test", CancellationToken.None);
        Assert.True(added.Succeeded, string.Join(" ", added.Errors));
        return added.NewSecret!;
    }

    private Task<HttpResponseMessage> RedeemUnknownCodeAsync(string secret) =>
        new CodeFlow(_client, "crm", "https://crm.example.com/cb", secret).RedeemAsync("unknown-" + Guid.NewGuid().ToString("N"));
}
