using System.Net;
using System.Text.Json;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Interop;

/// <summary>
/// openid-client 6 drives the whole code flow against the server on a real port: discovery,
/// PKCE, the callback's iss, ID-token validation, refresh rotation and reuse, and the logout URL.
/// The test plays the user's browser through the test login.
/// </summary>
public sealed class OpenIdClientCodeFlowTests : IAsyncLifetime
{
    private const string RedirectUri = "https://crm.example.com/signin-oidc";
    private const string SignedOut = "https://crm.example.com/signed-out";
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private KestrelIdentityProvider _server = null!;
    private string _secret = null!;
    private string _alice = null!;

    public async Task InitializeAsync()
    {
        _server = await KestrelIdentityProvider.StartAsync(_database);
        await using var scope = _server.Factory.Services.CreateAsyncScope();
        _secret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm",
            RedirectUris = [RedirectUri],
            PostLogoutRedirectUris = [SignedOut],
            GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            Scopes = ["openid", "profile", "email", "offline_access"],
        }, "test", CancellationToken.None)).NewSecret!;
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", EmailConfirmed = true, DisplayName = "Alice Example" };
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(alice)).Succeeded);
        _alice = alice.Id;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task CompletesTheCodeFlow_UserInfo_Introspection_RotationRevocation_AndLogout_WithOpenIdClient()
    {
        using var browser = _server.CreateClient();

        var result = await NodeScript.RunAsync("code-flow",
            new { issuer = _server.Issuer, clientId = "crm", clientSecret = _secret, redirectUri = RedirectUri, postLogoutRedirectUri = SignedOut },
            async (step, payload) =>
            {
                Assert.Equal("login", step);
                var location = payload.GetProperty("authorizationUrl").GetString()!;
                // Follow the provider's redirects as a browser would, signing in at the test login,
                // until the provider sends the browser back to the relying party.
                for (var hops = 0; !location.StartsWith(RedirectUri, StringComparison.Ordinal); hops++)
                {
                    Assert.True(hops < 5, "too many redirects");
                    if (location.StartsWith(TestLoginStartupFilter.Path, StringComparison.Ordinal))
                    {
                        location += "&user=" + Uri.EscapeDataString(_alice) + "&amr=pwd%20otp%20mfa";
                    }

                    var response = await browser.GetAsync(location);
                    location = response.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"{(int)response.StatusCode} at {location}");
                }

                return new { callbackUrl = location };
            });

        var claims = result.GetProperty("claims");
        Assert.Equal(_alice, claims.GetProperty("sub").GetString());
        Assert.Equal("Alice Example", claims.GetProperty("name").GetString());
        Assert.Equal(["pwd", "otp", "mfa"], claims.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.True(result.GetProperty("rotated").GetBoolean());
        Assert.Equal(_alice, result.GetProperty("refreshedClaims").GetProperty("sub").GetString());
        Assert.Equal("invalid_grant", result.GetProperty("reuse").GetProperty("error").GetString());
        Assert.Equal("alice@example.com", result.GetProperty("userInfo").GetProperty("email").GetString());
        Assert.True(result.GetProperty("introspected").GetProperty("active").GetBoolean());
        Assert.Equal("crm", result.GetProperty("introspected").GetProperty("client_id").GetString());
        Assert.True(result.GetProperty("beforeRevocation").GetProperty("active").GetBoolean());
        Assert.False(result.GetProperty("afterRevocation").GetProperty("active").GetBoolean());

        var logout = await browser.GetAsync(result.GetProperty("endSessionUrl").GetString());
        Assert.Equal(HttpStatusCode.Found, logout.StatusCode);
        Assert.Equal(SignedOut + "?state=bye", logout.Headers.Location!.OriginalString);
    }
}
