using System.Net;
using System.Net.Sockets;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Federation;
using IdentityProvider.Federation.Accounts;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityProvider.Tests.Federation;

public sealed class SqliteFederationInteropTests : FederationInteropTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresFederationInteropTests(PostgresCluster cluster) : FederationInteropTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>
/// Federated sign-in end to end against an upstream that is not ours (npm <c>oidc-provider</c> 9,
/// <see cref="UpstreamOidcProvider"/>): our server on a real loopback port, a relying party's
/// authorization request, our login page's "Sign in with Corp", the upstream's own login form, our
/// callback, the MFA rule, and the code exchange, asserting what the user and the relying party see.
/// </summary>
public abstract class FederationInteropTests : IAsyncLifetime
{
    private const string ProviderId = "corp";
    private const string UpstreamClientId = "our-idp";
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string LocalPassword = "a local password for alice";

    private static readonly UpstreamAccount Carol = new("u-carol", "carol") { Email = "carol@corp.example", Name = "Carol Corp" };
    private static readonly UpstreamAccount Dave = new("u-dave", "dave") { Email = "dave@corp.example", Amr = ["pwd", "otp", "mfa"] };
    private static readonly UpstreamAccount Alice = new("u-alice", "alice") { Email = "alice@example.com" };

    private readonly int _upstreamPort = FreePort();
    private TestDatabase _database = null!;
    private KestrelIdentityProvider? _server;
    private UpstreamOidcProvider? _upstream;
    private string _crmSecret = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    private string UpstreamIssuer => $"http://127.0.0.1:{_upstreamPort}";

    private KestrelIdentityProvider Server => _server ?? throw new InvalidOperationException("StartAsync first.");

    private UpstreamOidcProvider Upstream => _upstream ?? throw new InvalidOperationException("StartAsync first.");

    public async Task InitializeAsync() => _database = await CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _database.Dispose();
    }

    [Fact]
    public async Task Provisions_TheUserAndTheirLogin_UnderBypass_WithoutACodePage_AndTheIdTokenSaysFed()
    {
        await StartAsync("bypass");
        using var browser = Server.CreateClient();

        var (flow, login) = await AuthorizeAsync(browser);
        var button = Assert.Single(login.Document.QuerySelectorAll("a[data-upstream]"));
        var callback = await Upstream.SignInAsync(browser, await StartAtUpstreamAsync(browser, button.GetAttribute("href")!), "carol", UpstreamAccount.DefaultPassword);
        var landed = await browser.GetAsync(callback);
        var idToken = await TokensAsync(browser, flow, landed);

        Assert.Equal("Sign in with Corp", button.TextContent);
        Assert.StartsWith("/connect/authorize/resume", landed.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var carol = await Server.Factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == "carol@corp.example"));
        Assert.Equal(carol.Id, idToken.Subject);
        Assert.Contains("fed", Amr(idToken));
        Assert.DoesNotContain("mfa", Amr(idToken));
        Assert.Equal(1, await Server.Factory.WithDbAsync(db => db.UserLogins.CountAsync(l => l.UserId == carol.Id && l.LoginProvider == ProviderId && l.ProviderKey == "u-carol")));
        Assert.Equal(new UpstreamTokenRequest(UpstreamClientId, "client_secret_basic", "authorization_code"), Assert.Single(await Upstream.WaitForTokenRequestsAsync(1)));
    }

    [Fact]
    public async Task Reuses_TheProvisionedUser_OnTheSecondSignIn()
    {
        await StartAsync("bypass");
        string first;
        using (var browser = Server.CreateClient())
        {
            first = (await SignInAsync(browser, "carol")).Subject;
        }

        using var again = Server.CreateClient();
        var second = await SignInAsync(again, "carol");

        Assert.Equal(first, second.Subject);
        Assert.Equal(1, await Server.Factory.WithDbAsync(db => db.Users.CountAsync(u => u.Email == "carol@corp.example")));
        Assert.Equal(1, await Server.Factory.WithDbAsync(db => db.UserLogins.CountAsync()));
        Assert.Equal(2, (await Upstream.WaitForLoginsAsync(2)).Count);
    }

    [Fact]
    public async Task Requires_TheLocalCode_UnderRequireLocal_AndTheIdTokenSaysFedOtpMfa()
    {
        await StartAsync("require-local");
        var (aliceId, secret) = await CreateAliceAsync(totp: true);
        await LinkAsync(aliceId, "u-alice");
        using var browser = Server.CreateClient();
        var (flow, login) = await AuthorizeAsync(browser);

        var landed = await browser.GetAsync(await Upstream.SignInAsync(browser, await StartAtUpstreamAsync(browser, Button(login)), "alice", UpstreamAccount.DefaultPassword));
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);
        var afterCode = await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["Code"] = NextCode(secret!) });
        var idToken = await TokensAsync(browser, flow, afterCode);

        Assert.Equal(SignInSteps.SecondFactorPath, landed.Headers.Location?.OriginalString);
        Assert.Equal(aliceId, idToken.Subject);
        Assert.Equal(["fed", "otp", "mfa"], Amr(idToken));
    }

    [Fact]
    public async Task Trusts_AnUpstreamThatShowedMfa_UnderTrustUpstreamAmr_WithoutACode()
    {
        await StartAsync("trust-upstream-amr");
        using var browser = Server.CreateClient();
        var (flow, login) = await AuthorizeAsync(browser);

        var landed = await browser.GetAsync(await Upstream.SignInAsync(browser, await StartAtUpstreamAsync(browser, Button(login)), "dave", UpstreamAccount.DefaultPassword));
        var idToken = await TokensAsync(browser, flow, landed);

        Assert.Equal(["pwd", "otp", "mfa"], (await Upstream.WaitForLoginsAsync(1)).Single().Amr);
        Assert.StartsWith("/connect/authorize/resume", landed.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Contains("fed", Amr(idToken));
        Assert.Contains("mfa", Amr(idToken));
    }

    [Fact]
    public async Task Requires_TheLocalCode_UnderTrustUpstreamAmr_WhenTheUpstreamShowedOnlyAPassword()
    {
        await StartAsync("trust-upstream-amr");
        var (aliceId, _) = await CreateAliceAsync(totp: true);
        await LinkAsync(aliceId, "u-alice");
        using var browser = Server.CreateClient();
        var (_, login) = await AuthorizeAsync(browser);

        var landed = await browser.GetAsync(await Upstream.SignInAsync(browser, await StartAtUpstreamAsync(browser, Button(login)), "alice", UpstreamAccount.DefaultPassword));

        Assert.Equal(SignInSteps.SecondFactorPath, landed.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("client_secret_post")]
    [InlineData("private_key_jwt")]
    public async Task Authenticates_AtTheUpstreamsTokenEndpoint_WithTheConfiguredMethod(string method)
    {
        await StartAsync("bypass", authentication: method);
        using var browser = Server.CreateClient();

        var idToken = await SignInAsync(browser, "carol");

        Assert.Contains("fed", Amr(idToken));
        Assert.Equal(new UpstreamTokenRequest(UpstreamClientId, method, "authorization_code"), Assert.Single(await Upstream.WaitForTokenRequestsAsync(1)));
    }

    [Fact]
    public async Task Shows_TheCancelledPage_WhenTheUserCancelsAtTheUpstream()
    {
        await StartAsync("bypass");
        using var browser = Server.CreateClient();
        var (_, login) = await AuthorizeAsync(browser);

        var callback = await Upstream.CancelSignInAsync(browser, await StartAtUpstreamAsync(browser, Button(login)));
        var landed = await browser.GetAsync(callback);
        var page = await HtmlForms.ReadPageAsync(landed, callback.AbsoluteUri);

        Assert.Equal("access_denied", QueryHelpers.ParseQuery(callback.Query)["error"].ToString());
        Assert.Equal(HttpStatusCode.BadRequest, landed.StatusCode);
        Assert.Equal("Sign-in at Corp was cancelled", page.Document.QuerySelector("h1")!.TextContent);
        Assert.Equal(0, await Server.Factory.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Equal(0, await Server.Factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    [Fact]
    public async Task Refuses_AReplayedCallback_AndKeepsOneSession()
    {
        await StartAsync("bypass");
        using var browser = Server.CreateClient();
        var (_, login) = await AuthorizeAsync(browser);
        var callback = await Upstream.SignInAsync(browser, await StartAtUpstreamAsync(browser, Button(login)), "carol", UpstreamAccount.DefaultPassword);

        var first = await browser.GetAsync(callback);
        var replayed = await browser.GetAsync(callback);
        var page = await HtmlForms.ReadPageAsync(replayed, callback.AbsoluteUri);

        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Equal("This sign-in cannot be continued", page.Document.QuerySelector("h1")!.TextContent);
        Assert.Equal(1, await Server.Factory.WithDbAsync(db => db.UserSessions.CountAsync()));
        // The upstream's code was redeemed once: the replay stopped at the state, before the token endpoint.
        Assert.Single(await Upstream.WaitForTokenRequestsAsync(1));
    }

    [Fact]
    public async Task Refuses_ACallbackWhoseIssIsAnotherIssuer()
    {
        await StartAsync("bypass");
        using var browser = Server.CreateClient();
        var (_, login) = await AuthorizeAsync(browser);
        var callback = await Upstream.SignInAsync(browser, await StartAtUpstreamAsync(browser, Button(login)), "carol", UpstreamAccount.DefaultPassword);
        // RFC 9207: the same response, claimed by another issuer (a mix-up attack).
        var query = QueryHelpers.ParseQuery(callback.Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
        Assert.Equal(UpstreamIssuer, query["iss"]);
        query["iss"] = $"http://127.0.0.1:{FreePort()}";

        var refused = await browser.GetAsync(QueryHelpers.AddQueryString(callback.GetLeftPart(UriPartial.Path), query));
        var page = await HtmlForms.ReadPageAsync(refused, callback.AbsoluteUri);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("Sign-in at Corp failed", page.Document.QuerySelector("h1")!.TextContent);
        Assert.Empty(Upstream.TokenRequests);
        Assert.Equal(0, await Server.Factory.WithDbAsync(db => db.UserSessions.CountAsync()));
        Assert.Equal(0, await Server.Factory.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Links_AnEmailMatch_AfterTheLocalPasswordAndCode_WhenTheProviderLinksByEmail()
    {
        await StartAsync("bypass", linkByEmail: true);
        var (aliceId, secret) = await CreateAliceAsync(totp: true);
        using var browser = Server.CreateClient();
        var (flow, login) = await AuthorizeAsync(browser);

        var landed = await browser.GetAsync(await Upstream.SignInAsync(browser, await StartAtUpstreamAsync(browser, Button(login)), "alice", UpstreamAccount.DefaultPassword));
        var linkPage = await browser.GetPageAsync(FederationLinkModel.Path);
        var afterPassword = await browser.SubmitAsync(linkPage, new Dictionary<string, string> { ["Password"] = LocalPassword }, "form:not(#cancel-link)");
        var loginsBeforeCode = await Server.Factory.WithDbAsync(db => db.UserLogins.CountAsync());
        var codePage = await browser.GetPageAsync(SignInSteps.SecondFactorPath);
        var idToken = await TokensAsync(browser, flow, await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["Code"] = NextCode(secret!) }));

        Assert.Equal(FederationLinkModel.Path, landed.Headers.Location?.OriginalString);
        Assert.Equal(SignInSteps.SecondFactorPath, afterPassword.Headers.Location?.OriginalString);
        Assert.Equal(0, loginsBeforeCode);
        Assert.Equal(aliceId, idToken.Subject);
        Assert.Equal(1, await Server.Factory.WithDbAsync(db => db.UserLogins.CountAsync(l => l.UserId == aliceId && l.LoginProvider == ProviderId && l.ProviderKey == "u-alice")));
    }

    [Fact]
    public async Task Refuses_AnEmailMatch_WhenTheProviderDoesNotLinkByEmail()
    {
        await StartAsync("bypass", linkByEmail: false);
        await CreateAliceAsync(totp: false);
        using var browser = Server.CreateClient();
        var (_, login) = await AuthorizeAsync(browser);

        var landed = await browser.GetAsync(await Upstream.SignInAsync(browser, await StartAtUpstreamAsync(browser, Button(login)), "alice", UpstreamAccount.DefaultPassword));
        var page = await browser.GetPageAsync(landed.Headers.Location!.OriginalString);

        Assert.StartsWith(FederationRefusals.Path, landed.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(FederationRefusedModel.NotConnectedText, page.Document.QuerySelector("#federation-refused")!.TextContent);
        Assert.Equal(0, await Server.Factory.WithDbAsync(db => db.UserLogins.CountAsync()));
        Assert.Equal(0, await Server.Factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    [Fact]
    public async Task Offers_TheUpstreamsSignOut_AfterTheAccountPagesSignOut_AndTheUpstreamEndsItsSession()
    {
        await StartAsync("bypass");
        using var browser = Server.CreateClient();
        await SignInAsync(browser, "carol");
        var account = await browser.GetPageAsync("/account");

        var signedOut = await browser.SubmitAsync(account, new Dictionary<string, string>(), "form[action*=SignOut]");
        var page = await HtmlForms.ReadPageAsync(signedOut, "/account");
        var link = page.Document.QuerySelector("#upstream-sign-out")!;
        var offer = new Uri(link.GetAttribute("href")!);
        var query = QueryHelpers.ParseQuery(offer.Query);
        var back = await Upstream.SignOutAsync(browser, offer);
        var landing = await browser.GetAsync(back);
        var landed = await HtmlForms.ReadPageAsync(landing, back.AbsoluteUri);

        Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);
        Assert.Equal(0, await Server.Factory.WithDbAsync(db => db.UserSessions.CountAsync()));
        Assert.Equal("Also sign out of Corp", link.TextContent);
        Assert.Equal(UpstreamIssuer + "/session/end", offer.GetLeftPart(UriPartial.Path));
        Assert.Equal(UpstreamClientId, query["client_id"].ToString());
        Assert.Equal(Server.Issuer + FederationPaths.SignedOut(ProviderId), query["post_logout_redirect_uri"].ToString());
        Assert.Equal("u-carol", new JsonWebToken(query["id_token_hint"].ToString()).Subject);
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.Equal(Server.Issuer + FederationPaths.SignedOut(ProviderId) + "?state=" + query["state"], back.AbsoluteUri);
        Assert.Equal(new UpstreamLogout(UpstreamClientId), Assert.Single(await Upstream.WaitForLogoutsAsync(1)));
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
        Assert.Equal("You are signed out of Corp too", landed.Document.QuerySelector("h1")!.TextContent);
        Assert.Equal("/account", landed.Document.QuerySelector("main a")!.GetAttribute("href"));
        // The upstream's session is gone too: its login form is back, so wrong credentials fail.
        var (_, login) = await AuthorizeAsync(browser);
        await Assert.ThrowsAsync<UpstreamPageException>(async () => await Upstream.SignInAsync(browser, await StartAtUpstreamAsync(browser, Button(login)), "carol", "wrong"));
    }

    [Fact]
    public async Task Offers_TheUpstreamsSignOut_AfterRpInitiatedLogoutWithoutARedirect()
    {
        await StartAsync("bypass");
        using var browser = Server.CreateClient();
        var idToken = await SignInAsync(browser, "carol");

        var signedOut = await browser.GetPageAsync("/connect/endsession?id_token_hint=" + Uri.EscapeDataString(idToken.EncodedToken));

        Assert.Equal("You are signed out", signedOut.Document.QuerySelector("h1")!.TextContent);
        var offer = new Uri(signedOut.Document.QuerySelector("#upstream-sign-out")!.GetAttribute("href")!);
        Assert.Equal(UpstreamClientId, QueryHelpers.ParseQuery(offer.Query)["client_id"].ToString());
        Assert.Equal(0, await Server.Factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    [Fact]
    public async Task Shows_TheUpstreamSignedOutPage_WithoutRedirecting_AndNotFoundForAnUnknownProvider()
    {
        await StartAsync("bypass");
        using var browser = Server.CreateClient();

        var known = await browser.GetAsync(FederationPaths.SignedOut(ProviderId) + "?state=x&post_logout_redirect_uri=https%3A%2F%2Fevil.example");
        var unknown = await browser.GetAsync(FederationPaths.SignedOut("nobody"));
        var page = await HtmlForms.ReadPageAsync(known, FederationPaths.SignedOut(ProviderId));

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Null(known.Headers.Location);
        Assert.Equal("You are signed out of Corp too", page.Document.QuerySelector("h1")!.TextContent);
        Assert.DoesNotContain(page.Document.QuerySelectorAll("a"), a => a.GetAttribute("href")!.Contains("evil.example", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Null(unknown.Headers.Location);
    }

    [Fact]
    public async Task DoesNotOffer_AnUpstreamSignOut_ForALocalSession()
    {
        await StartAsync("bypass");
        var (aliceId, _) = await CreateAliceAsync(totp: false);
        using var browser = Server.CreateClient();
        var (flow, login) = await AuthorizeAsync(browser);
        var requestId = QueryHelpers.ParseQuery(new Uri(Server.BaseAddress, login.Url).Query)["request"].ToString();
        var signedIn = await browser.GetAsync($"{TestLoginStartupFilter.Path}?request={requestId}&user={aliceId}");
        var idToken = await TokensAsync(browser, flow, signedIn);

        var signedOut = await browser.GetPageAsync("/connect/endsession?id_token_hint=" + Uri.EscapeDataString(idToken.EncodedToken));

        Assert.Equal(aliceId, idToken.Subject);
        Assert.Equal("You are signed out", signedOut.Document.QuerySelector("h1")!.TextContent);
        Assert.Null(signedOut.Document.QuerySelector("#upstream-sign-out"));
        Assert.Equal(0, await Server.Factory.WithDbAsync(db => db.UserSessions.CountAsync()));
    }

    /// <summary>
    /// Our server with one provider, <c>corp</c>, at the upstream, and the upstream with our client.
    /// Each side must name the other's address before it starts, so the upstream's port is chosen
    /// first and ours by <see cref="KestrelIdentityProvider"/>; nothing fetches upstream metadata at start-up.
    /// </summary>
    private async Task StartAsync(string rule, string authentication = "client_secret_basic", bool linkByEmail = false)
    {
        var prefix = "Federation:Providers:0:";
        var settings = new Dictionary<string, string>
        {
            ["Interaction:LoginPath"] = LoginModel.Path,
            [prefix + "Id"] = ProviderId,
            [prefix + "DisplayName"] = "Corp",
            [prefix + "Issuer"] = UpstreamIssuer,
            [prefix + "ClientId"] = UpstreamClientId,
            [prefix + "ClientAuthentication"] = authentication,
            [prefix + "MfaRule"] = rule,
            [prefix + "LinkByEmail"] = linkByEmail ? "true" : "false",
        };
        if (authentication != "private_key_jwt")
        {
            settings[prefix + "ClientSecret"] = UpstreamClient.DefaultSecret;
        }

        _server = await KestrelIdentityProvider.StartAsync(_database, settings: settings);
        _upstream = await UpstreamOidcProvider.StartAsync(new UpstreamProviderConfig
        {
            Port = _upstreamPort,
            Clients =
            [
                new UpstreamClient(UpstreamClientId, [Server.Issuer + FederationPaths.Callback(ProviderId)])
                {
                    TokenEndpointAuthMethod = authentication,
                    ClientSecret = authentication == "private_key_jwt" ? null : UpstreamClient.DefaultSecret,
                    // The upstream checks our assertion with the keys we publish for our own ID tokens.
                    JwksUri = authentication == "private_key_jwt" ? Server.Issuer + "/.well-known/jwks" : null,
                    PostLogoutRedirectUris = [Server.Issuer + FederationPaths.SignedOut(ProviderId)],
                },
            ],
            Accounts = [Carol, Dave, Alice],
        });
        await using var scope = Server.Factory.Services.CreateAsyncScope();
        _crmSecret = (await scope.ServiceProvider.GetRequiredService<ClientManager>().AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", "profile", "email"],
        }, "test", CancellationToken.None)).NewSecret!;
    }

    /// <summary>The relying party's authorization request, up to our login page.</summary>
    private async Task<(CodeFlow Flow, HtmlPage Login)> AuthorizeAsync(HttpClient browser)
    {
        var flow = new CodeFlow(browser, "crm", Redirect, _crmSecret);
        var authorize = await browser.GetAsync(flow.AuthorizeUrl("openid profile email"));
        var location = authorize.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"authorize answered {(int)authorize.StatusCode}");
        Assert.StartsWith(LoginModel.Path, location, StringComparison.Ordinal);
        return (flow, await browser.GetPageAsync(location));
    }

    private static string Button(HtmlPage login) => login.Document.QuerySelector("a[data-upstream]")!.GetAttribute("href")!;

    /// <summary>Follows "Sign in with Corp": our start answers with the upstream's authorization endpoint.</summary>
    private async Task<Uri> StartAtUpstreamAsync(HttpClient browser, string start)
    {
        var started = await browser.GetAsync(start);
        var authorize = started.Headers.Location ?? throw new InvalidOperationException($"start answered {(int)started.StatusCode}");
        Assert.StartsWith(UpstreamIssuer + "/", authorize.AbsoluteUri, StringComparison.Ordinal);
        return authorize;
    }

    private async Task<JsonWebToken> SignInAsync(HttpClient browser, string upstreamLogin)
    {
        var (flow, login) = await AuthorizeAsync(browser);
        var callback = await Upstream.SignInAsync(browser, await StartAtUpstreamAsync(browser, Button(login)), upstreamLogin, UpstreamAccount.DefaultPassword);
        return await TokensAsync(browser, flow, await browser.GetAsync(callback));
    }

    /// <summary>Follows a finished sign-in back into the authorization request and redeems the code.</summary>
    private static async Task<JsonWebToken> TokensAsync(HttpClient browser, CodeFlow flow, HttpResponseMessage finished)
    {
        var resume = finished.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"the sign-in answered {(int)finished.StatusCode}");
        Assert.StartsWith("/connect/authorize/resume", resume, StringComparison.Ordinal);
        var back = await browser.GetAsync(resume);
        var tokens = await CodeFlow.JsonAsync(await flow.RedeemAsync(flow.CodeFrom(back.Headers.Location!.OriginalString)));
        return new JsonWebToken(tokens.GetProperty("id_token").GetString());
    }

    private static List<string> Amr(JsonWebToken token) => [.. token.Claims.Where(c => c.Type == "amr").Select(c => c.Value)];

    /// <summary>Alice, a local user with a password (and an authenticator app) and the email the upstream's alice has.</summary>
    private async Task<(string Id, string? Secret)> CreateAliceAsync(bool totp)
    {
        await using var scope = Server.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await users.CreateAsync(alice, LocalPassword)).Succeeded);
        if (!totp)
        {
            return (alice.Id, null);
        }

        var authenticator = scope.ServiceProvider.GetRequiredService<TotpAuthenticator>();
        var enrolment = await authenticator.BeginEnrolmentAsync(alice.Id, alice.Id, CancellationToken.None);
        Assert.True(await authenticator.ActivateAsync(alice.Id, Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), DateTimeOffset.UtcNow), CancellationToken.None));
        return (alice.Id, enrolment.Secret);
    }

    // The code of the next 30-second step: the one used for enrolment is spent (codes are single
    // use), and the authenticator accepts a step ahead for clock drift.
    private static string NextCode(string secret) => Rfc6238.ComputeCode(Base32.Decode(secret), DateTimeOffset.UtcNow.AddSeconds(30));

    private async Task LinkAsync(string userId, string subject)
    {
        await using var scope = Server.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.True((await users.AddLoginAsync((await users.FindByIdAsync(userId))!, new UserLoginInfo(ProviderId, subject, ProviderId))).Succeeded);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
