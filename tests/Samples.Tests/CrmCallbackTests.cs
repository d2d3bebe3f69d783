using System.Net;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Samples.Tests;

/// <summary>The CRM's callback refuses responses it did not ask for, and its tokens stay fresh (or the session ends).</summary>
public sealed class CrmCallbackTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    [Fact]
    public async Task Rejects_WhenTheStateIsUnknown()
    {
        using var browser = samples.NewBrowser();

        var response = await browser.Http.GetAsync($"/signin-oidc?code=abc&state=forged&iss={Uri.EscapeDataString(samples.Idp.Issuer)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Rejects_WhenTheIssParameterNamesAnotherIssuer()
    {
        var erin = await samples.CreateUserAsync("Erin Example");
        using var browser = samples.NewBrowser();
        var callback = await SignInUntilCallbackAsync(browser, erin);

        // RFC 9207: a mix-up attacker's response names its own issuer.
        var response = await browser.Http.GetAsync(callback.Replace(
            "iss=" + Uri.EscapeDataString(samples.Idp.Issuer), "iss=" + Uri.EscapeDataString("http://attacker.example"), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(samples.Idp.Issuer, (await browser.Http.GetAsync("/WhoAmI")).Headers.Location!.ToString());
    }

    [Fact]
    public async Task Rejects_WhenTheSameResponseArrivesTwice()
    {
        var frank = await samples.CreateUserAsync("Frank Example");
        using var browser = samples.NewBrowser();
        var callback = await SignInUntilCallbackAsync(browser, frank);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Http.GetAsync(callback)).StatusCode);

        var replay = await browser.Http.GetAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
    }

    [Fact]
    public async Task RefreshesTheTokens_BeforeTheAccessTokenExpires_AndSignsOutLocally_WhenRefreshIsRefused()
    {
        var grace = await samples.CreateUserAsync("Grace Example");
        using var browser = samples.NewBrowser();
        await browser.FollowAsync("/", grace);

        // Access tokens live an hour; within the last minute the CRM refreshes on the next request.
        samples.Time.Advance(TimeSpan.FromMinutes(59.5));
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.GetAsync("/WhoAmI")).StatusCode);
        Assert.Equal(1, await ConsumedRefreshTokensAsync(grace));

        // The provider refuses the next refresh (the user was disabled): the CRM session ends.
        await samples.WithIdpServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var user = await users.FindByIdAsync(grace);
            user!.DisabledAt = samples.Time.GetUtcNow();
            return await users.UpdateAsync(user);
        });
        samples.Time.Advance(TimeSpan.FromMinutes(59.5));
        var afterRefusal = await browser.Http.GetAsync("/WhoAmI");

        Assert.Equal(HttpStatusCode.Found, afterRefusal.StatusCode);
        Assert.StartsWith(samples.Idp.Issuer + "/connect/authorize?", afterRefusal.Headers.Location!.ToString());
    }

    private async Task<string> SignInUntilCallbackAsync(Browser browser, string user)
    {
        // Stop at the redirect back to the CRM: sign in at the provider, but do not deliver the response yet.
        var start = await browser.Http.GetAsync("/");
        var location = start.Headers.Location!;
        for (var hops = 0; !location.ToString().StartsWith(samples.CallbackUri, StringComparison.Ordinal); hops++)
        {
            Assert.True(hops < 6);
            var url = location.IsAbsoluteUri ? location : new Uri(new Uri(samples.Idp.Issuer), location);
            if (url.AbsolutePath == IdentityProvider.Tests.Infrastructure.TestLoginStartupFilter.Path)
            {
                url = new Uri(url + "&user=" + Uri.EscapeDataString(user) + "&amr=pwd");
            }

            location = (await browser.Http.GetAsync(url)).Headers.Location!;
        }

        return location.ToString();
    }

    private Task<int> ConsumedRefreshTokensAsync(string subject) =>
        samples.WithIdpServicesAsync(services =>
        {
            var db = services.GetRequiredService<IdentityProviderDbContext>();
            return db.RefreshTokens.CountAsync(t => t.ConsumedAt != null && db.Grants.Any(g => g.GrantId == t.GrantId && g.Subject == subject));
        });
}
