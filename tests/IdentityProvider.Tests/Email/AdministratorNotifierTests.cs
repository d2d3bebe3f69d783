using IdentityProvider.Admin.Bootstrap;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Email;

public sealed class AdministratorNotifierTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 34, 56, TimeSpan.Zero));
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private IdentityProviderFactory _factory = null!;
    private SmtpSink _sink = null!;
    private WebApplicationFactory<Program> _app = null!;

    public async Task InitializeAsync()
    {
        _factory = new IdentityProviderFactory(_database, _time);
        _sink = await SmtpSink.StartAsync();
        _app = EmailHost.Configure(_factory, _sink.Port);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _sink.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task NotifyMfaDisabled_QueuesOneMessagePerAdministrator()
    {
        await CreateUserAsync("ada@example.com", administrator: true);
        await CreateUserAsync("grace@example.com", administrator: true);
        await CreateUserAsync("bob@example.com", administrator: false);

        await NotifyAsync("Bob Builder", "bob@example.com", "the user, with a recovery code");

        var queued = await _app.OutboxAsync();
        Assert.Equal(["ada@example.com", "grace@example.com"], queued.Select(m => m.To).Order());
        Assert.All(queued, m => Assert.Equal("Two-factor authentication was disabled for Bob Builder", m.Subject));
        Assert.All(queued, m => Assert.Equal(EmailOutboxStatus.Pending, m.Status));
    }

    [Fact]
    public async Task NotifyMfaDisabled_DeliversAMessageNamingUserActorAndTime()
    {
        await CreateUserAsync("ada@example.com", administrator: true);

        await NotifyAsync("Bob Builder", "bob@example.com", "the user, with a recovery code");
        await _app.Dispatcher().DrainOnceAsync(CancellationToken.None);

        var received = Assert.Single(await _sink.WaitForAsync(1));
        Assert.Equal(["ada@example.com"], received.EnvelopeTo);
        Assert.Equal("Two-factor authentication was disabled for Bob Builder", received.Subject);
        Assert.Contains("Bob Builder (bob@example.com)", received.Text, StringComparison.Ordinal);
        Assert.Contains("Done by: the user, with a recovery code", received.Text, StringComparison.Ordinal);
        Assert.Contains("At: 2026-11-22 12:34 UTC", received.Text, StringComparison.Ordinal);
        Assert.Contains("If you did not expect this, contact Bob Builder", received.Text, StringComparison.Ordinal);
        Assert.Contains("<strong>Bob Builder</strong>", received.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyMfaDisabled_LeavesOutDisabledAdministrators()
    {
        await CreateUserAsync("ada@example.com", administrator: true);
        await CreateUserAsync("gone@example.com", administrator: true, disabled: true);

        await NotifyAsync("Bob", "bob@example.com", "Bob");

        Assert.Equal(["ada@example.com"], (await _app.OutboxAsync()).Select(m => m.To));
    }

    [Fact]
    public async Task NotifyMfaDisabled_EncodesTheUsersName_InTheHtmlBody()
    {
        await CreateUserAsync("ada@example.com", administrator: true);

        await NotifyAsync("<img src=x onerror=alert(1)>", "eve@example.net", "the user");

        var html = Assert.Single(await _app.OutboxAsync()).HtmlBody;
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyMfaDisabled_QueuesNothing_WithoutAdministrators()
    {
        await CreateUserAsync("bob@example.com", administrator: false);

        await NotifyAsync("Bob", "bob@example.com", "Bob");

        Assert.Empty(await _app.OutboxAsync());
    }

    private async Task NotifyAsync(string user, string email, string actor)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AdministratorNotifier>().NotifyMfaDisabledAsync(user, email, actor, CancellationToken.None);
    }

    private async Task CreateUserAsync(string email, bool administrator, bool disabled = false)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var user = new ApplicationUser { UserName = email, Email = email, DisabledAt = disabled ? _time.GetUtcNow() : null };
        Assert.True((await users.CreateAsync(user)).Succeeded);
        if (administrator)
        {
            if (!await roles.RoleExistsAsync(Roles.Administrator))
            {
                Assert.True((await roles.CreateAsync(new IdentityRole(Roles.Administrator))).Succeeded);
            }

            Assert.True((await users.AddToRoleAsync(user, Roles.Administrator)).Succeeded);
        }
    }
}
