using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Protocol.Tests.Fakes;
using IdentityProvider.Protocol.Validation;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Protocol.Tests.Interaction;

public sealed class AuthorizationInteractionEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryUserClaimsStore _users = new("alice");
    private readonly InMemoryConsentStore _consents = new();

    [Fact]
    public async Task Issues_WhenTheSessionSatisfiesTheRequest()
    {
        var session = Session();

        var decision = await DecideAsync(Request(), session);

        Assert.Equal(InteractionStep.None, decision.Step);
        Assert.Same(session, decision.Session);
        Assert.Null(decision.Error);
    }

    [Fact]
    public async Task Requires_Login_WhenThereIsNoSession()
    {
        var decision = await DecideAsync(Request(), session: null);

        Assert.Equal(InteractionStep.Login, decision.Step);
    }

    [Fact]
    public async Task Rejects_WithLoginRequired_WhenThereIsNoSessionAndPromptIsNone()
    {
        var decision = await DecideAsync(Request(prompt: ["none"]), session: null);

        Assert.Equal(InteractionStep.Error, decision.Step);
        Assert.Equal(ErrorCodes.LoginRequired, decision.Error?.Error);
    }

    [Theory]
    [InlineData("login")]
    [InlineData("select_account")]
    public async Task Requires_Login_WhenPromptAsksForIt_EvenWithASession(string prompt)
    {
        var decision = await DecideAsync(Request(prompt: [prompt]), Session());

        Assert.Equal(InteractionStep.Login, decision.Step);
    }

    [Fact]
    public async Task Issues_WhenPromptIsLogin_AndTheUserSignedInForThisRequest()
    {
        var session = Session();

        var decision = await DecideAsync(Request(prompt: ["login"]), session, Pending(authenticatedSessionId: session.SessionId));

        Assert.Equal(InteractionStep.None, decision.Step);
    }

    [Fact]
    public async Task Requires_Login_WhenPromptIsLogin_AndThePendingSignInWasAnotherSession()
    {
        var decision = await DecideAsync(Request(prompt: ["login"]), Session(), Pending(authenticatedSessionId: "an-older-session"));

        Assert.Equal(InteractionStep.Login, decision.Step);
    }

    // max_age 600 s; the session signed in this many seconds ago. Exactly max_age is still fresh.
    [Theory]
    [InlineData(0, InteractionStep.None)]
    [InlineData(599, InteractionStep.None)]
    [InlineData(600, InteractionStep.None)]
    [InlineData(601, InteractionStep.Login)]
    [InlineData(86_400, InteractionStep.Login)]
    public async Task Requires_Login_OnlyWhenMaxAgeIsExceeded(int secondsSinceSignIn, InteractionStep expected)
    {
        var session = Session(authTime: Now);
        _time.Advance(TimeSpan.FromSeconds(secondsSinceSignIn));

        var decision = await DecideAsync(Request(maxAge: TimeSpan.FromSeconds(600)), session);

        Assert.Equal(expected, decision.Step);
    }

    [Fact]
    public async Task Requires_Login_WhenMaxAgeIsZero_AndAnyTimeHasPassed()
    {
        var session = Session(authTime: Now);
        _time.Advance(TimeSpan.FromSeconds(1));

        var decision = await DecideAsync(Request(maxAge: TimeSpan.Zero), session);

        Assert.Equal(InteractionStep.Login, decision.Step);
    }

    [Fact]
    public async Task Rejects_WithLoginRequired_WhenMaxAgeIsExceededAndPromptIsNone()
    {
        var session = Session(authTime: Now.AddMinutes(-11));

        var decision = await DecideAsync(Request(prompt: ["none"], maxAge: TimeSpan.FromMinutes(10)), session);

        Assert.Equal(ErrorCodes.LoginRequired, decision.Error?.Error);
    }

    [Fact]
    public async Task Issues_WhenMaxAgeIsExceeded_ButTheUserSignedInForThisRequest()
    {
        var session = Session(authTime: Now.AddMinutes(-11));

        var decision = await DecideAsync(Request(maxAge: TimeSpan.FromMinutes(10)), session, Pending(authenticatedSessionId: session.SessionId));

        Assert.Equal(InteractionStep.None, decision.Step);
    }

    [Fact]
    public async Task Requires_Login_WhenTheUserIsNoLongerActive()
    {
        _users.Disable("alice");

        var decision = await DecideAsync(Request(), Session());

        Assert.Equal(InteractionStep.Login, decision.Step);
    }

    [Fact]
    public async Task Rejects_WithLoginRequired_WhenTheUserIsNoLongerActiveAndPromptIsNone()
    {
        _users.Disable("alice");

        var decision = await DecideAsync(Request(prompt: ["none"]), Session());

        Assert.Equal(ErrorCodes.LoginRequired, decision.Error?.Error);
    }

    [Fact]
    public async Task Requires_Login_WhenTheSessionHasNotMetARequestedAcr()
    {
        var decision = await DecideAsync(Request(acrValues: ["urn:acr:mfa"]), Session(acr: "urn:acr:pwd"));

        Assert.Equal(InteractionStep.Login, decision.Step);
    }

    [Fact]
    public async Task Requires_Login_WhenAcrIsRequestedAndTheSessionStatesNone()
    {
        var decision = await DecideAsync(Request(acrValues: ["urn:acr:mfa"]), Session(acr: null));

        Assert.Equal(InteractionStep.Login, decision.Step);
    }

    [Fact]
    public async Task Rejects_WithInteractionRequired_WhenTheAcrIsNotMetAndPromptIsNone()
    {
        var decision = await DecideAsync(Request(prompt: ["none"], acrValues: ["urn:acr:mfa"]), Session(acr: "urn:acr:pwd"));

        Assert.Equal(ErrorCodes.InteractionRequired, decision.Error?.Error);
    }

    [Fact]
    public async Task Issues_WithTheSessionAcr_WhenItIsOneOfTheRequestedValues()
    {
        var decision = await DecideAsync(Request(acrValues: ["urn:acr:hwk", "urn:acr:mfa"]), Session(acr: "urn:acr:mfa"));

        Assert.Equal(InteractionStep.None, decision.Step);
        Assert.Equal("urn:acr:mfa", decision.Acr);
    }

    [Fact]
    public async Task Issues_WithTheSessionAcr_WhenNoAcrIsRequested()
    {
        var decision = await DecideAsync(Request(), Session(acr: "urn:acr:pwd"));

        Assert.Equal("urn:acr:pwd", decision.Acr);
    }

    [Fact]
    public async Task Requires_Consent_WhenPromptIsConsent_EvenIfEveryScopeWasConsented()
    {
        await _consents.GrantAsync("alice", "web", ["openid", "profile"], Now, CancellationToken.None);

        var decision = await DecideAsync(Request(consentClient: true, prompt: ["consent"]), Session());

        Assert.Equal(InteractionStep.Consent, decision.Step);
    }

    [Fact]
    public async Task Rejects_WithConsentRequired_WhenConsentIsNeededAndPromptIsNone()
    {
        var decision = await DecideAsync(Request(consentClient: true, prompt: ["none"]), Session());

        Assert.Equal(ErrorCodes.ConsentRequired, decision.Error?.Error);
    }

    [Fact]
    public async Task Requires_Consent_WhenNotEveryScopeWasConsented()
    {
        await _consents.GrantAsync("alice", "web", ["openid"], Now, CancellationToken.None);

        var decision = await DecideAsync(Request(consentClient: true), Session());

        Assert.Equal(InteractionStep.Consent, decision.Step);
    }

    [Fact]
    public async Task Requires_Consent_WhenTheScopesWereConsentedToAnotherClient()
    {
        await _consents.GrantAsync("alice", "other", ["openid", "profile"], Now, CancellationToken.None);

        var decision = await DecideAsync(Request(consentClient: true), Session());

        Assert.Equal(InteractionStep.Consent, decision.Step);
    }

    [Fact]
    public async Task Issues_WhenEveryScopeWasConsentedBefore()
    {
        await _consents.GrantAsync("alice", "web", ["openid", "profile", "email"], Now, CancellationToken.None);

        var decision = await DecideAsync(Request(consentClient: true), Session());

        Assert.Equal(InteractionStep.None, decision.Step);
    }

    [Fact]
    public async Task Issues_WithoutConsent_WhenTheClientDoesNotRequireIt()
    {
        var decision = await DecideAsync(Request(consentClient: false), Session());

        Assert.Equal(InteractionStep.None, decision.Step);
    }

    [Fact]
    public async Task Rejects_WithAccessDenied_WhenTheUserDeniedConsent()
    {
        var decision = await DecideAsync(Request(consentClient: true), Session(), Pending(consent: false));

        Assert.Equal(InteractionStep.Error, decision.Step);
        Assert.Equal(ErrorCodes.AccessDenied, decision.Error?.Error);
    }

    [Fact]
    public async Task Issues_WhenTheUserGrantedConsentForThisRequest_WithoutRememberingIt()
    {
        var decision = await DecideAsync(Request(consentClient: true, prompt: ["consent"]), Session(), Pending(consent: true));

        Assert.Equal(InteractionStep.None, decision.Step);
    }

    private Task<InteractionDecision> DecideAsync(ValidatedAuthorizationRequest request, AuthenticatedSession? session, PendingAuthorization? pending = null) =>
        new AuthorizationInteractionEvaluator(_users, _consents, new SessionAcrRequirementEvaluator(), _time)
            .DecideAsync(request, session, pending, CancellationToken.None);

    private static AuthenticatedSession Session(DateTimeOffset? authTime = null, string? acr = null) =>
        new("session-1", "alice", authTime ?? Now.AddMinutes(-5), ["pwd"], acr);

    private static PendingAuthorization Pending(string? authenticatedSessionId = null, bool? consent = null) =>
        new("pending-1", new Dictionary<string, string>(), Now.AddMinutes(-1), Now.AddMinutes(29), authenticatedSessionId, consent);

    private static ValidatedAuthorizationRequest Request(
        bool consentClient = false, string[]? prompt = null, TimeSpan? maxAge = null, string[]? acrValues = null)
    {
        var client = new ClientDefinition
        {
            ClientId = "web",
            DisplayName = "Web",
            TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic,
            RedirectUris = ["https://app.example.com/callback"],
            AllowedGrantTypes = new HashSet<string> { GrantTypes.AuthorizationCode },
            AllowedScopes = new HashSet<string> { "openid", "profile", "email" },
            RequireConsent = consentClient,
        };
        return new ValidatedAuthorizationRequest(
            client,
            new AuthorizationResponseTarget("https://app.example.com/callback", ResponseModes.Query, "xyz"),
            ["openid", "profile"],
            Nonce: "n-0S6",
            CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            Prompt: new HashSet<string>(prompt ?? [], StringComparer.Ordinal),
            MaxAge: maxAge,
            LoginHint: null,
            AcrValues: acrValues ?? [],
            Raw: ProtocolRequest.FromValues(new Dictionary<string, string> { ["client_id"] = "web" }));
    }
}
