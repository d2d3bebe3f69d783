using System.Net;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.SignIn;

/// <summary>
/// Floods of the account-recovery forms (each post may send an email): beyond the per-address
/// limit, the readable 429 page with Retry-After and no email; other addresses go on. In memory,
/// so SQLite only.
/// </summary>
public sealed class AccountRecoveryRateLimitTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _database = TestDatabase.Sqlite();
        _factory = new IdentityProviderFactory(_database, settings: new Dictionary<string, string>
        {
            ["RateLimits:AccountRecoveryPerIp:TokenLimit"] = "2",
            ["RateLimits:AccountRecoveryPerIp:ReplenishmentPeriod"] = "00:01:00",
        });
        await using var scope = _factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var totp = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
        for (var i = 1; i <= 4; i++)
        {
            var user = new ApplicationUser { UserName = "user" + i, Email = $"user{i}@example.com", CreatedAt = DateTimeOffset.UtcNow };
            Assert.True((await users.CreateAsync(user, "correct horse battery staple")).Succeeded);
            // With a second factor, so that a lost-device request sends its link too.
            var secret = (await totp.BeginEnrolmentAsync(user.Id, user.UserName, CancellationToken.None)).Secret;
            Assert.True(await totp.ActivateAsync(user.Id, Rfc6238.ComputeCode(Base32.Decode(secret), DateTimeOffset.UtcNow), CancellationToken.None));
        }
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private HttpClient Browser(string address)
    {
        var browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        browser.DefaultRequestHeaders.Add(TestRemoteAddressStartupFilter.Header, address);
        return browser;
    }

    private static async Task<HttpResponseMessage> RequestAsync(HttpClient browser, string path, string login)
    {
        var page = await browser.GetPageAsync(path);
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["Login"] = login });
    }

    private Task<int> OutboxAsync() => _factory.WithDbAsync(db => db.EmailOutbox.CountAsync());

    [Theory]
    [InlineData(LostDeviceModel.Path)]
    [InlineData(ForgotPasswordModel.Path)]
    public async Task Refuses_TheThirdRequestFromOneAddress_WithNothingSent_AndNoOtherAddress(string path)
    {
        using var flooder = Browser("203.0.113.7");
        using var neighbour = Browser("198.51.100.20");
        for (var i = 1; i <= 2; i++)
        {
            Assert.Equal(HttpStatusCode.SeeOther, (await RequestAsync(flooder, path, "user" + i)).StatusCode);
        }

        var sent = await OutboxAsync();
        var third = await RequestAsync(flooder, path, "user3");
        var outboxAfterRefusal = await OutboxAsync();
        var page = await flooder.GetAsync(path);
        var other = await RequestAsync(neighbour, path, "user4");

        Assert.Equal(2, sent);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After in seconds");
        Assert.Contains(TooManyAttemptsResult.Message, await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(sent, outboxAfterRefusal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, other.StatusCode);
        Assert.Equal(sent + 1, await OutboxAsync());
    }

    [Fact]
    public async Task CountsRecoveryApartFromSignIn()
    {
        using var browser = Browser("203.0.113.7");
        for (var i = 1; i <= 2; i++)
        {
            await RequestAsync(browser, ForgotPasswordModel.Path, "user" + i);
        }

        var login = await browser.GetPageAsync(LoginModel.Path);
        var signIn = await browser.SubmitAsync(login, new Dictionary<string, string> { ["Username"] = "user1", ["Password"] = "wrong" });

        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }
}
