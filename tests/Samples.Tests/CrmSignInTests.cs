using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Buffers.Text;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Samples.Tests;

/// <summary>
/// The CRM signs users in through the identity provider, steps up for the administration area,
/// calls the API with the user's access token, and signs out of both.
/// </summary>
public sealed class CrmSignInTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    [Fact]
    public async Task SignsIn_ThroughTheProvider_AndShowsWhoAmI()
    {
        var alice = await samples.CreateUserAsync("Alice Example");
        using var browser = samples.NewBrowser();

        var home = await browser.FollowAsync("/", alice, amr: "pwd");

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var authorize = Assert.Single(browser.Visited, url => url.AbsolutePath == "/connect/authorize");
        var query = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.False(string.IsNullOrEmpty(query["nonce"]));
        Assert.Contains(browser.Visited, url => url.AbsolutePath == "/signin-oidc" && url.Query.Contains("iss=", StringComparison.Ordinal));
        Assert.Equal("/", browser.Visited[^1].AbsolutePath);

        var whoAmI = await browser.Http.GetPageAsync("/WhoAmI");
        Assert.Equal("Alice Example", whoAmI.Text("#name"));
        Assert.Equal("pwd", whoAmI.Text("#amr"));
        Assert.EndsWith("@example.com", whoAmI.Text("#email"));
        Assert.NotEqual("(none)", whoAmI.Text("#auth-time"));
    }

    [Fact]
    public async Task Requires_AStepUp_ForAdministration_WhenTheSessionHasOneFactor()
    {
        var bob = await samples.CreateUserAsync("Bob Example");
        using var browser = samples.NewBrowser();
        await browser.FollowAsync("/", bob, amr: "pwd");

        var stepUp = await browser.Http.GetAsync("/Admin");

        Assert.Equal(HttpStatusCode.Found, stepUp.StatusCode);
        var location = stepUp.Headers.Location!;
        Assert.StartsWith(samples.Idp.Issuer + "/connect/authorize?", location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("mfa", query["acr_values"]);
        Assert.Equal("300", query["max_age"]);

        // The provider asks for the stronger sign-in; the user passes it and lands on the page asked for.
        var admin = await browser.FollowAsync(location.ToString(), bob, amr: "pwd otp mfa", acr: "mfa");

        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal("/Admin", browser.Visited[^1].AbsolutePath);
        Assert.Contains("pwd otp mfa", await admin.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CallsTheApi_WithTheUsersAccessToken()
    {
        var carol = await samples.CreateUserAsync("Carol Example");
        using var browser = samples.NewBrowser();
        await browser.FollowAsync("/", carol);

        var deals = await browser.Http.GetPageAsync("/Deals");

        Assert.Null(deals.Document.QuerySelector("#deals-problem"));
        Assert.Contains("Fleet renewal", deals.Text("#deals"));
    }

    [Fact]
    public async Task SignOut_EndsTheCrmSession_AndTheProviderSession()
    {
        var dave = await samples.CreateUserAsync("Dave Example");
        using var browser = samples.NewBrowser();
        await browser.FollowAsync("/", dave);
        var page = await browser.Http.GetPageAsync("/WhoAmI");

        var signOut = await browser.Http.SubmitAsync(page, new Dictionary<string, string>(), "#sign-out");
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var endSession = signOut.Headers.Location!;
        Assert.StartsWith(samples.Idp.Issuer + "/connect/endsession?", endSession.ToString());
        Assert.False(string.IsNullOrEmpty(QueryHelpers.ParseQuery(endSession.Query)["id_token_hint"]));
        var goodbye = await browser.FollowAsync(endSession.ToString());

        Assert.Equal(HttpStatusCode.OK, goodbye.StatusCode);
        Assert.Equal("/Goodbye", browser.Visited[^1].AbsolutePath);
        Assert.Contains(browser.Visited, url => url.AbsolutePath == "/signed-out");

        // The CRM session is gone: the CRM sends the browser to the provider again...
        var crm = await browser.Http.GetAsync("/WhoAmI");
        Assert.StartsWith(samples.Idp.Issuer + "/connect/authorize?", crm.Headers.Location!.ToString());

        // ...and so is the provider's: a silent authorization request cannot complete.
        var silent = await browser.Http.GetAsync(samples.Idp.Issuer + "/connect/authorize?" + string.Join('&',
            "response_type=code", "client_id=" + SamplesFixture.ClientId, "redirect_uri=" + Uri.EscapeDataString(samples.CallbackUri),
            "scope=openid", "state=s1", "prompt=none", "code_challenge_method=S256",
            "code_challenge=" + Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes("verifier-" + Guid.NewGuid())))));
        var callback = silent.Headers.Location!;
        Assert.StartsWith(samples.CallbackUri + "?", callback.ToString());
        Assert.Equal("login_required", QueryHelpers.ParseQuery(callback.Query)["error"]);
    }
}
