using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Authentication;

/// <summary>
/// The test authenticator against ASP.NET Core Identity's own <see cref="PasskeyHandler{TUser}"/>:
/// its ceremonies verify, and each knob that alters one thing makes the handler refuse.
/// </summary>
public sealed class SoftwareAuthenticatorTests : IAsyncLifetime
{
    private const string Origin = "http://localhost";
    private readonly SoftwareAuthenticator _authenticator = new();
    private TestDatabase _database = null!;
    private IdentityProviderFactory _factory = null!;
    private AsyncServiceScope _scope;
    private UserManager<ApplicationUser> _users = null!;
    private ApplicationUser _alice = null!;

    public async Task InitializeAsync()
    {
        _database = TestDatabase.Sqlite();
        _factory = new IdentityProviderFactory(_database);
        _scope = _factory.Services.CreateAsyncScope();
        _users = _scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        _alice = new ApplicationUser { UserName = "alice", Email = "alice@example.com", DisplayName = "Alice Example" };
        Assert.True((await _users.CreateAsync(_alice)).Succeeded);
    }

    public async Task DisposeAsync()
    {
        _authenticator.Dispose();
        await _scope.DisposeAsync();
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    /// <summary>The app's handler when it registers one, else Identity's with <paramref name="options"/> or its defaults.</summary>
    private IPasskeyHandler<ApplicationUser> Handler(IdentityPasskeyOptions? options = null) =>
        options is null && _scope.ServiceProvider.GetService<IPasskeyHandler<ApplicationUser>>() is { } registered
            ? registered
            : new PasskeyHandler<ApplicationUser>(_users, Options.Create(options ?? new IdentityPasskeyOptions()));

    /// <summary>A same-origin request to http://localhost, as the browser's fetch from the login page sends it.</summary>
    private HttpContext Request()
    {
        var context = new DefaultHttpContext { RequestServices = _scope.ServiceProvider };
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.Headers.Origin = Origin;
        return context;
    }

    private async Task RegisterAsync(IPasskeyHandler<ApplicationUser> handler)
    {
        var options = await handler.MakeCreationOptionsAsync(
            new PasskeyUserEntity { Id = _alice.Id, Name = "alice", DisplayName = "Alice Example" }, Request());
        var attestation = await handler.PerformAttestationAsync(new PasskeyAttestationContext
        {
            CredentialJson = _authenticator.CreateAttestation(options.CreationOptionsJson, Origin),
            AttestationState = options.AttestationState,
            HttpContext = Request(),
        });
        Assert.True(attestation.Succeeded, attestation.Failure?.Message);
        Assert.True((await _users.AddOrUpdatePasskeyAsync(_alice, attestation.Passkey)).Succeeded);
    }

    /// <summary>Runs one assertion ceremony for <paramref name="user"/> (null: discoverable) with the authenticator's answer.</summary>
    private async Task<PasskeyAssertionResult<ApplicationUser>> AssertAsync(
        IPasskeyHandler<ApplicationUser> handler, Func<string, string> answer, ApplicationUser? user = null)
    {
        var options = await handler.MakeRequestOptionsAsync(user, Request());
        return await VerifyAsync(handler, answer(options.RequestOptionsJson), options.AssertionState);
    }

    /// <summary>Verifies an assertion and, as a sign-in would, stores the passkey's new counter on success.</summary>
    private async Task<PasskeyAssertionResult<ApplicationUser>> VerifyAsync(
        IPasskeyHandler<ApplicationUser> handler, string credentialJson, string? state)
    {
        var result = await handler.PerformAssertionAsync(new PasskeyAssertionContext
        {
            CredentialJson = credentialJson,
            AssertionState = state,
            HttpContext = Request(),
        });
        if (result.Succeeded)
        {
            Assert.True((await _users.AddOrUpdatePasskeyAsync(result.User, result.Passkey)).Succeeded);
        }

        return result;
    }

    [Fact]
    public async Task SignsIn_WithARegisteredCredential_DiscoverableOrForAKnownUser()
    {
        var handler = Handler();
        await RegisterAsync(handler);

        var discoverable = await AssertAsync(handler, o => _authenticator.CreateAssertion(o, Origin));
        var known = await AssertAsync(handler, o => _authenticator.CreateAssertion(o, Origin), _alice);

        Assert.True(discoverable.Succeeded, discoverable.Failure?.Message);
        Assert.Equal(_alice.Id, discoverable.User.Id);
        Assert.True(known.Succeeded, known.Failure?.Message);
        Assert.Equal(2u, (await _users.GetPasskeysAsync(_alice)).Single().SignCount);
    }

    [Fact]
    public async Task Registers_ThePublicKeyFlagsAndTransports_TheAuthenticatorReported()
    {
        _authenticator.BackupEligible = true;

        await RegisterAsync(Handler());

        var stored = (await _users.GetPasskeysAsync(_alice)).Single();
        Assert.Equal(_authenticator.Credentials.Single().Id, stored.CredentialId);
        Assert.True(stored.IsUserVerified);
        Assert.True(stored.IsBackupEligible);
        Assert.Equal(["internal"], stored.Transports ?? []);
    }

    [Fact]
    public async Task Rejects_WhenTheAttestationComesFromAnotherOrigin()
    {
        var handler = Handler();
        var options = await handler.MakeCreationOptionsAsync(new PasskeyUserEntity { Id = _alice.Id, Name = "alice", DisplayName = "Alice" }, Request());

        var result = await handler.PerformAttestationAsync(new PasskeyAttestationContext
        {
            CredentialJson = _authenticator.CreateAttestation(options.CreationOptionsJson, "http://evil.example"),
            AttestationState = options.AttestationState,
            HttpContext = Request(),
        });

        Assert.Contains("invalid origin", result.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_WhenTheAssertionComesFromAnotherOrigin()
    {
        var handler = Handler();
        await RegisterAsync(handler);

        var result = await AssertAsync(handler, o => _authenticator.CreateAssertion(o, "http://evil.example"));

        Assert.Contains("invalid origin", result.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_WhenTheRpIdHashIsForAnotherDomain()
    {
        var handler = Handler();
        await RegisterAsync(handler);

        var result = await AssertAsync(handler, o => _authenticator.CreateAssertion(o, Origin, rpId: "evil.example"));

        Assert.Contains("Relying Party ID hash", result.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_WhenCreationClientDataIsUsedAsAnAssertion()
    {
        var handler = Handler();
        await RegisterAsync(handler);

        var result = await AssertAsync(handler, o => _authenticator.CreateAssertion(o, Origin, clientDataType: SoftwareAuthenticator.CreationType));

        Assert.Contains("'type'", result.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_WhenTheSignCountIsLowerThanTheStoredOne()
    {
        var handler = Handler();
        await RegisterAsync(handler);
        Assert.True((await AssertAsync(handler, o => _authenticator.CreateAssertion(o, Origin, signCount: 5))).Succeeded);

        var result = await AssertAsync(handler, o => _authenticator.CreateAssertion(o, Origin, signCount: 4));

        Assert.Contains("signature counter", result.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_WhenTheSameAssertionIsReplayed()
    {
        var handler = Handler();
        await RegisterAsync(handler);
        var options = await handler.MakeRequestOptionsAsync(null, Request());
        var assertion = _authenticator.CreateAssertion(options.RequestOptionsJson, Origin);
        Assert.True((await VerifyAsync(handler, assertion, options.AssertionState)).Succeeded);

        var replay = await VerifyAsync(handler, assertion, options.AssertionState);

        Assert.Contains("signature counter", replay.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_WhenTheUvFlagIsMissing_AndUserVerificationIsRequired()
    {
        var handler = Handler(new IdentityPasskeyOptions { UserVerificationRequirement = "required" });
        await RegisterAsync(handler);
        _authenticator.UserVerified = false;

        var result = await AssertAsync(handler, o => _authenticator.CreateAssertion(o, Origin));

        Assert.Contains("UserVerified", result.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepts_AMissingUvFlag_WhenUserVerificationIsOnlyPreferred()
    {
        var handler = Handler(new IdentityPasskeyOptions { UserVerificationRequirement = "preferred" });
        await RegisterAsync(handler);
        _authenticator.UserVerified = false;

        var result = await AssertAsync(handler, o => _authenticator.CreateAssertion(o, Origin));

        Assert.True(result.Succeeded, result.Failure?.Message);
    }
}
