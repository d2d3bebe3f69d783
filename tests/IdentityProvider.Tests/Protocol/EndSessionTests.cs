using System.Net;
using System.Text;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Protocol;

/// <summary>RP-Initiated Logout 1.0, as the OpenID Foundation's RP-Initiated Logout OP plan checks it.</summary>
public sealed class EndSessionTests : IAsyncLifetime
{
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string SignedOut = "https://crm.example.com/signed-out";
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private IdentityProviderFactory _factory = null!;
    private HttpClient _browser = null!;
    private string _secret = null!;
    private string _alice = null!;

    public async Task InitializeAsync()
    {
        _factory = new IdentityProviderFactory(_database);
        _browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        await using var scope = _factory.Services.CreateAsyncScope();
        _secret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm",
            RedirectUris = [Redirect],
            PostLogoutRedirectUris = [SignedOut],
            GrantTypes = [GrantTypes.AuthorizationCode],
            Scopes = ["openid", "profile"],
        }, "test", CancellationToken.None)).NewSecret!;
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com" };
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(alice)).Succeeded);
        _alice = alice.Id;
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private async Task<string> SignInAsync()
    {
        var flow = new CodeFlow(_browser, "crm", Redirect, _secret);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(await flow.SignInAsync(_alice, scope: "openid profile")));
        return tokens.GetProperty("id_token").GetString()!;
    }

    private async Task<bool> HasSessionAsync()
    {
        var authorize = await _browser.GetAsync(new CodeFlow(_browser, "crm", Redirect).AuthorizeUrl("openid"));
        return authorize.Headers.Location!.OriginalString.StartsWith(Redirect, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndsTheSession_AndRedirectsWithState_ForAValidIdTokenHint()
    {
        var idToken = await SignInAsync();

        var response = await _browser.GetAsync(QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
        {
            ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = SignedOut, ["state"] = "s-42",
        }));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(SignedOut + "?state=s-42", response.Headers.Location!.OriginalString);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.UserSessions.CountAsync()));
        Assert.False(await HasSessionAsync());
    }

    [Theory]
    [InlineData("alg-none")]
    [InlineData("tampered")]
    public async Task Rejects_AForgedIdTokenHint_AndKeepsTheSession(string forgery)
    {
        var idToken = await SignInAsync();
        var parts = idToken.Split('.');
        var forged = forgery == "alg-none"
            ? Base64UrlEncode("""{"alg":"none","typ":"JWT"}""") + "." + parts[1] + "."
            : parts[0] + "." + Base64UrlEncode(Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[1])).Replace(_alice, "someone-else", StringComparison.Ordinal)) + "." + parts[2];

        var response = await _browser.GetAsync(QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
        {
            ["id_token_hint"] = forged, ["post_logout_redirect_uri"] = SignedOut,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.True(await HasSessionAsync());
    }

    [Fact]
    public async Task Rejects_AnUnregisteredPostLogoutRedirectUri_WithoutRedirecting()
    {
        var idToken = await SignInAsync();

        var response = await _browser.GetAsync(QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
        {
            ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = "https://evil.example.com/",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task AsksTheUserToConfirm_WithoutAHint_AndSignsOutOnlyOnAProtectedConfirmation()
    {
        await SignInAsync();

        var page = await _browser.GetPageAsync("/connect/endsession?client_id=crm&post_logout_redirect_uri=" + Uri.EscapeDataString(SignedOut));
        var forged = await _browser.PostAsync("/connect/endsession", new FormUrlEncodedContent(new Dictionary<string, string> { ["confirm"] = "yes" }));
        var stillSignedIn = await HasSessionAsync();
        var confirmed = await _browser.SubmitAsync(page, new Dictionary<string, string> { ["confirm"] = "yes" });

        Assert.Contains("Do you want to sign out", page.Text, StringComparison.Ordinal);
        Assert.Contains("Do you want to sign out", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(stillSignedIn);
        Assert.Equal(HttpStatusCode.SeeOther, confirmed.StatusCode);
        Assert.Equal(SignedOut, confirmed.Headers.Location!.OriginalString);
        Assert.False(await HasSessionAsync());
    }

    private static string Base64UrlEncode(string json) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(json));
}
