using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using IdentityProvider.Admin.Api;
using IdentityProvider.Admin.Clients;
using IdentityProvider.Authentication.RecoveryCodes;
using IdentityProvider.Authentication.Totp;
using IdentityProvider.Pages.Account;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.AdminApi;

public sealed class SqliteSecuritySettingsEnforcementTests : SecuritySettingsEnforcementTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSecuritySettingsEnforcementTests(PostgresCluster cluster) : SecuritySettingsEnforcementTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(cluster);
}

/// <summary>
/// Limits saved through <c>PUT /admin/api/security-settings</c> are the ones sign-in enforces, from
/// the next attempt on: lockout on the real login page, the TOTP window, the recovery-code count.
/// </summary>
public abstract class SecuritySettingsEnforcementTests : IAsyncLifetime
{
    private const string Redirect = "https://crm.example.com/signin-oidc";
    private const string Password = "correct horse battery staple";

    // Ten seconds into a time step, so ±1 step is unambiguous.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private HttpClient _browser = null!;
    private string _crmSecret = null!;
    private string _policySecret = null!;
    private string _alice = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _factory = new IdentityProviderFactory(_database, _time, settings: new Dictionary<string, string>
        {
            ["Administration:ClientPermissions:policy:0"] = "security.manage_settings",
        });
        _browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });
        await using var scope = _factory.Services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<ClientManager>();
        _crmSecret = (await clients.AddAsync(new ClientRegistration
        {
            ClientId = "crm", RedirectUris = [Redirect], GrantTypes = [GrantTypes.AuthorizationCode], Scopes = ["openid", "profile"],
        }, "test", CancellationToken.None)).NewSecret!;
        _policySecret = (await clients.AddAsync(new ClientRegistration
        {
            ClientId = "policy", GrantTypes = [GrantTypes.ClientCredentials], Scopes = [AdminApiScopes.Admin],
        }, "test", CancellationToken.None)).NewSecret!;
        var alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", CreatedAt = _time.GetUtcNow() };
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(alice, Password)).Succeeded);
        _alice = alice.Id;
    }

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private async Task SaveAsync(int maxFailedPasswords = 5, int lockoutDurationMinutes = 15, int totpWindow = 1, int recoveryCodeCount = 10)
    {
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("policy:" + _policySecret)));
        var token = (await CodeFlow.JsonAsync(await _browser.SendAsync(tokenRequest))).GetProperty("access_token").GetString();
        using var put = new HttpRequestMessage(HttpMethod.Put, "/admin/api/security-settings")
        {
            Content = JsonContent.Create(new { maxFailedPasswords, maxFailedCodes = 5, lockoutDurationMinutes, totpWindow, recoveryCodeCount }),
        };
        put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await _browser.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<HtmlPage> OpenLoginPageAsync()
    {
        var flow = new CodeFlow(_browser, "crm", Redirect, _crmSecret);
        var authorize = await _browser.GetAsync(flow.AuthorizeUrl("openid profile"));
        var location = authorize.Headers.Location!.OriginalString;
        var requestId = QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["request"].ToString();
        return await _browser.GetPageAsync(LoginModel.Path + "?request=" + requestId);
    }

    private Task<HttpResponseMessage> SubmitAsync(HtmlPage page, string password) =>
        _browser.SubmitAsync(page, new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = password });

    [Fact]
    public async Task LocksTheAccount_AfterTheSavedNumberOfWrongPasswords_ForTheSavedDuration()
    {
        await SaveAsync(maxFailedPasswords: 3, lockoutDurationMinutes: 2);
        var page = await OpenLoginPageAsync();
        for (var i = 0; i < 3; i++)
        {
            await SubmitAsync(page, "wrong " + i);
        }

        var whileLocked = await HtmlForms.ReadPageAsync(await SubmitAsync(page, Password), page.Url);
        var lockedUntil = await _factory.WithDbAsync(db => db.Users.Where(u => u.Id == _alice).Select(u => u.LockoutEnd).SingleAsync());
        _time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        var afterwards = await SubmitAsync(page, Password);

        // With the configured limit of 5, the fourth attempt (the right password) would have signed in.
        Assert.Equal(LoginModel.GenericError, whileLocked.Document.QuerySelector("#login-error")!.TextContent);
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(1), lockedUntil);
        Assert.Equal(HttpStatusCode.SeeOther, afterwards.StatusCode);
    }

    [Fact]
    public async Task KeepsTheConfiguredLimit_UntilSettingsAreSaved()
    {
        var page = await OpenLoginPageAsync();
        for (var i = 0; i < 3; i++)
        {
            await SubmitAsync(page, "wrong " + i);
        }

        var fourth = await SubmitAsync(page, Password);

        Assert.Equal(HttpStatusCode.SeeOther, fourth.StatusCode);
    }

    [Fact]
    public async Task RefusesThePreviousStepsCode_OnceTheSavedWindowIsZero()
    {
        var enrolment = await WithAsync<TotpAuthenticator, TotpEnrolment>(t => t.BeginEnrolmentAsync(_alice, "alice@example.com", default));
        Assert.True(await WithAsync<TotpAuthenticator, bool>(t => t.ActivateAsync(_alice, CodeAt(enrolment, 0), default)));
        _time.Advance(TimeSpan.FromSeconds(60));
        var withWindowOne = await VerifyAsync(CodeAt(enrolment, -1));

        await SaveAsync(totpWindow: 0);
        _time.Advance(TimeSpan.FromSeconds(60));
        var previousWithWindowZero = await VerifyAsync(CodeAt(enrolment, -1));
        var currentWithWindowZero = await VerifyAsync(CodeAt(enrolment, 0));

        Assert.Equal(TotpVerification.Valid, withWindowOne);
        Assert.Equal(TotpVerification.Invalid, previousWithWindowZero);
        Assert.Equal(TotpVerification.Valid, currentWithWindowZero);
    }

    [Fact]
    public async Task GeneratesTheSavedNumberOfRecoveryCodes()
    {
        var before = await WithAsync<RecoveryCodeService, IReadOnlyList<string>>(r => r.GenerateAsync(_alice, default));

        await SaveAsync(recoveryCodeCount: 6);
        var after = await WithAsync<RecoveryCodeService, IReadOnlyList<string>>(r => r.GenerateAsync(_alice, default));

        Assert.Equal(10, before.Count);
        Assert.Equal(6, after.Count);
        Assert.Equal(6, await _factory.WithDbAsync(db => db.RecoveryCodes.CountAsync(c => c.UserId == _alice)));
    }

    private string CodeAt(TotpEnrolment enrolment, int steps) =>
        Rfc6238.ComputeCode(Base32.Decode(enrolment.Secret), _time.GetUtcNow() + TimeSpan.FromSeconds(30 * steps));

    private Task<TotpVerification> VerifyAsync(string code) => WithAsync<TotpAuthenticator, TotpVerification>(t => t.VerifyAsync(_alice, code, default));

    // A scope per call, as each HTTP request has its own.
    private async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
