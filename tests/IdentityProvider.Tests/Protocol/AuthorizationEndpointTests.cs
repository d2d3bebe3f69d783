using System.Net;
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

/// <summary>
/// The authorization endpoint's rules as a browser sees them: which errors are shown and which
/// are redirected, prompt and max_age, response modes, consent. Named after the checks of the
/// OpenID Foundation's Basic OP and Config OP plans where one applies. SQLite only: the storage
/// paths are covered on both engines by <see cref="AuthorizationCodeFlowTests"/>.
/// </summary>
public sealed class AuthorizationEndpointTests : IAsyncLifetime
{
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string ThirdPartyRedirect = "https://partner.example.org/cb";
    private readonly TestDatabase _database = TestDatabase.Sqlite();
    private IdentityProviderFactory _factory = null!;
    private HttpClient _browser = null!;
    private string _secret = null!;
    private string _partnerSecret = null!;
    private string _alice = null!;

    public async Task InitializeAsync()
    {
        _factory = new IdentityProviderFactory(_database);
        _browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        await using var scope = _factory.Services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
        _secret = (await clients.AddAsync(new ClientRegistration
        {
            ClientId = "crm",
            DisplayName = "CRM",
            RedirectUris = [Redirect],
            PostLogoutRedirectUris = ["https://crm.example.com/signed-out"],
            GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            Scopes = ["openid", "profile", "email", "offline_access"],
        }, "test", CancellationToken.None)).NewSecret!;
        _partnerSecret = (await clients.AddAsync(new ClientRegistration
        {
            ClientId = "partner",
            DisplayName = "Partner Portal",
            RedirectUris = [ThirdPartyRedirect],
            GrantTypes = [GrantTypes.AuthorizationCode],
            Scopes = ["openid", "profile", "email"],
            RequireConsent = true,
        }, "test", CancellationToken.None)).NewSecret!;
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", DisplayName = "Alice" };
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(alice)).Succeeded);
        _alice = alice.Id;
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private CodeFlow Crm() => new(_browser, "crm", Redirect, _secret);

    [Theory]
    [InlineData("client_id", "unknown-app")]
    [InlineData("client_id", null)]
    [InlineData("redirect_uri", "https://evil.example.com/cb")]
    [InlineData("redirect_uri", Redirect + "/")]
    [InlineData("redirect_uri", "https://CRM.example.com/signin-oidc")]
    [InlineData("redirect_uri", null)]
    public async Task ShowsAnErrorPage_AndNeverRedirects_WhenTheClientOrRedirectUriIsNotTrusted(string name, string? value)
    {
        var response = await _browser.GetAsync(Crm().AuthorizeUrl(overrides: (name, value)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("This sign-in request cannot be completed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("response_type", "token", "unsupported_response_type")]
    [InlineData("response_type", "code id_token", "unsupported_response_type")]
    [InlineData("response_type", null, "invalid_request")]
    [InlineData("scope", "openid admin", "invalid_scope")]
    [InlineData("code_challenge_method", "plain", "invalid_request")]
    [InlineData("code_challenge_method", null, "invalid_request")]
    [InlineData("code_challenge", null, "invalid_request")]
    [InlineData("prompt", "none login", "invalid_request")]
    [InlineData("max_age", "-1", "invalid_request")]
    [InlineData("request", "eyJhbGciOiJub25lIn0.e30.", "request_not_supported")]
    public async Task RedirectsTheError_WithStateAndIssuer_OnceTheRedirectUriIsTrusted(string name, string? value, string error)
    {
        var flow = Crm();

        var response = await _browser.GetAsync(flow.AuthorizeUrl(overrides: (name, value)));

        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith(Redirect + "?", response.Headers.Location.OriginalString, StringComparison.Ordinal);
        Assert.Equal(error, query["error"].ToString());
        Assert.Equal(flow.State, query["state"].ToString());
        Assert.Equal(IdentityProviderFactory.Issuer, query["iss"].ToString());
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task ShowsAnErrorPage_WhenAParameterIsRepeated()
    {
        var response = await _browser.GetAsync(Crm().AuthorizeUrl() + "&scope=openid");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task IgnoresUnknownParameters()
    {
        var response = await _browser.GetAsync(Crm().AuthorizeUrl(overrides: ("vendor_extension", "whatever")) + "&ui_locales=de&display=popup");

        Assert.StartsWith(TestLoginStartupFilter.Path, response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswersLoginRequired_ForPromptNoneWithoutASession()
    {
        var flow = Crm();

        var response = await _browser.GetAsync(flow.AuthorizeUrl(overrides: ("prompt", "none")));

        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        Assert.Equal("login_required", query["error"].ToString());
        Assert.Equal(flow.State, query["state"].ToString());
    }

    [Fact]
    public async Task IssuesACode_ForPromptNoneWithASession()
    {
        await Crm().SignInAsync(_alice);
        var flow = Crm();

        var response = await _browser.GetAsync(flow.AuthorizeUrl(overrides: ("prompt", "none")));

        Assert.False(string.IsNullOrEmpty(flow.CodeFrom(response.Headers.Location!.OriginalString)));
    }

    [Fact]
    public async Task AnswersInteractionRequired_ForPromptNone_WhenTheSessionDoesNotMeetTheAcrAsked()
    {
        await Crm().SignInAsync(_alice);

        var response = await _browser.GetAsync(Crm().AuthorizeUrl(overrides: [("prompt", "none"), ("acr_values", "mfa")]));

        Assert.Equal("interaction_required", QueryHelpers.ParseQuery(response.Headers.Location!.Query)["error"].ToString());
    }

    [Theory]
    [InlineData("prompt", "login")]
    [InlineData("prompt", "select_account")]
    [InlineData("max_age", "0")]
    public async Task AsksToSignInAgain_DespiteASession(string name, string value)
    {
        await Crm().SignInAsync(_alice);
        var flow = Crm();

        var response = await _browser.GetAsync(flow.AuthorizeUrl(overrides: (name, value)));
        var code = await flow.SignInAsync(_alice, overrides: (name, value));

        Assert.StartsWith(TestLoginStartupFilter.Path, response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(code));
    }

    [Fact]
    public async Task AcceptsAPostedAuthorizationRequest_AndAnswersWith303()
    {
        var flow = Crm();
        var parameters = QueryHelpers.ParseQuery(new Uri(new Uri(IdentityProviderFactory.Issuer), flow.AuthorizeUrl()).Query)
            .Select(p => new KeyValuePair<string, string>(p.Key, p.Value.ToString()));

        var response = await _browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(parameters));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith(TestLoginStartupFilter.Path, response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswersWithAnAutoSubmittingForm_ForFormPost()
    {
        await Crm().SignInAsync(_alice);
        var flow = Crm();

        var response = await _browser.GetAsync(flow.AuthorizeUrl(overrides: ("response_mode", "form_post")));
        var page = await HtmlForms.ReadPageAsync(response, Redirect);
        var form = page.Form()!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Redirect, form.GetAttribute("action"));
        Assert.Equal(flow.State, form.QuerySelector("input[name=state]")!.GetAttribute("value"));
        Assert.False(string.IsNullOrEmpty(form.QuerySelector("input[name=code]")!.GetAttribute("value")));
        Assert.Contains("form-action https://crm.example.com", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusesToResumeARequestTwice()
    {
        var authorize = await _browser.GetAsync(Crm().AuthorizeUrl());
        var login = await _browser.GetAsync(authorize.Headers.Location!.OriginalString + "&user=" + _alice);
        var resume = login.Headers.Location!.OriginalString;

        var first = await _browser.GetAsync(resume);
        var second = await _browser.GetAsync(resume);

        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Null(second.Headers.Location);
    }

    [Fact]
    public async Task RefusesToResume_WhenTheRedirectUriWasRemovedMeanwhile()
    {
        var authorize = await _browser.GetAsync(Crm().AuthorizeUrl());
        var login = await _browser.GetAsync(authorize.Headers.Location!.OriginalString + "&user=" + _alice);
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
            var change = await clients.AddOrUpdateAsync(new ClientRegistration
            {
                ClientId = "crm", RedirectUris = ["https://crm.example.com/other"], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid"],
            }, "test", CancellationToken.None);
            Assert.True(change.Succeeded, string.Join(" ", change.Errors));
        }

        var resume = await _browser.GetAsync(login.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.BadRequest, resume.StatusCode);
        Assert.Null(resume.Headers.Location);
    }

    [Fact]
    public async Task AsksForConsent_RemembersIt_AndAsksAgainOnlyForPromptConsent()
    {
        var flow = new CodeFlow(_browser, "partner", ThirdPartyRedirect, _partnerSecret);
        var authorize = await _browser.GetAsync(flow.AuthorizeUrl("openid profile"));
        var login = await _browser.GetAsync(authorize.Headers.Location!.OriginalString + "&user=" + _alice);
        var toConsent = await _browser.GetAsync(login.Headers.Location!.OriginalString);
        var consentUrl = toConsent.Headers.Location!.OriginalString;
        var consentPage = await _browser.GetPageAsync(consentUrl);

        var allowed = await _browser.SubmitAsync(consentPage, new Dictionary<string, string> { ["decision"] = "allow" });
        var withCode = await _browser.GetAsync(allowed.Headers.Location!.OriginalString);
        var again = await _browser.GetAsync(new CodeFlow(_browser, "partner", ThirdPartyRedirect).AuthorizeUrl("openid profile"));
        var forced = await _browser.GetAsync(new CodeFlow(_browser, "partner", ThirdPartyRedirect).AuthorizeUrl("openid profile", ("prompt", "consent")));

        Assert.StartsWith("/account/consent?request=", consentUrl, StringComparison.Ordinal);
        Assert.Contains("Partner Portal wants to access your account", consentPage.Text, StringComparison.Ordinal);
        Assert.Contains("See your name", consentPage.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, allowed.StatusCode);
        Assert.False(string.IsNullOrEmpty(flow.CodeFrom(withCode.Headers.Location!.OriginalString)));
        Assert.Contains("code=", again.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.StartsWith("/account/consent", forced.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal("openid profile", await _factory.WithDbAsync(db => db.Consents.Select(c => c.Scopes).SingleAsync()));
    }

    [Fact]
    public async Task LetsTheUserWithdrawConsent_WhichRevokesTheClientsGrants_AndAsksAgain()
    {
        var flow = new CodeFlow(_browser, "partner", ThirdPartyRedirect, _partnerSecret);
        var authorize = await _browser.GetAsync(flow.AuthorizeUrl("openid profile"));
        var login = await _browser.GetAsync(authorize.Headers.Location!.OriginalString + "&user=" + _alice);
        var consentPage = await _browser.GetPageAsync((await _browser.GetAsync(login.Headers.Location!.OriginalString)).Headers.Location!.OriginalString);
        var allowed = await _browser.SubmitAsync(consentPage, new Dictionary<string, string> { ["decision"] = "allow" });
        var code = flow.CodeFrom((await _browser.GetAsync(allowed.Headers.Location!.OriginalString)).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await flow.RedeemAsync(code)).StatusCode);

        var applications = await _browser.GetPageAsync("/account/applications");
        var withdrawn = await _browser.SubmitAsync(applications, new Dictionary<string, string>(), "form");
        var afterwards = await _browser.GetPageAsync("/account/applications");
        var again = await _browser.GetAsync(new CodeFlow(_browser, "partner", ThirdPartyRedirect).AuthorizeUrl("openid profile"));

        Assert.Contains("Partner Portal", applications.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, withdrawn.StatusCode);
        Assert.Contains("Access withdrawn", afterwards.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Partner Portal", afterwards.Text, StringComparison.Ordinal);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.Consents.CountAsync()));
        Assert.Equal(0, await _factory.WithDbAsync(db => db.Grants.CountAsync(g => g.ClientId == "partner" && g.RevokedAt == null)));
        Assert.Equal(1, await _factory.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "consent.revoked" && e.TargetId == "partner" && e.Actor == _alice)));
        Assert.StartsWith("/account/consent", again.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswersAccessDenied_WhenTheUserDeniesConsent_AndRemembersNothing()
    {
        var flow = new CodeFlow(_browser, "partner", ThirdPartyRedirect, _partnerSecret);
        var authorize = await _browser.GetAsync(flow.AuthorizeUrl("openid"));
        var login = await _browser.GetAsync(authorize.Headers.Location!.OriginalString + "&user=" + _alice);
        var toConsent = await _browser.GetAsync(login.Headers.Location!.OriginalString);
        var consentPage = await _browser.GetPageAsync(toConsent.Headers.Location!.OriginalString);

        var denied = await _browser.SubmitAsync(consentPage, new Dictionary<string, string> { ["decision"] = "deny" });
        var answer = await _browser.GetAsync(denied.Headers.Location!.OriginalString);

        var query = QueryHelpers.ParseQuery(answer.Headers.Location!.Query);
        Assert.Equal("access_denied", query["error"].ToString());
        Assert.Equal(flow.State, query["state"].ToString());
        Assert.Equal(0, await _factory.WithDbAsync(db => db.Consents.CountAsync()));
    }

    [Fact]
    public async Task RefusesAConsentPost_WithoutTheAntiforgeryToken()
    {
        var flow = new CodeFlow(_browser, "partner", ThirdPartyRedirect, _partnerSecret);
        var authorize = await _browser.GetAsync(flow.AuthorizeUrl("openid"));
        var login = await _browser.GetAsync(authorize.Headers.Location!.OriginalString + "&user=" + _alice);
        var consentUrl = (await _browser.GetAsync(login.Headers.Location!.OriginalString)).Headers.Location!.OriginalString;

        var forged = await _browser.PostAsync(consentUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["decision"] = "allow", ["Remember"] = "true" }));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(0, await _factory.WithDbAsync(db => db.Consents.CountAsync()));
    }
}
