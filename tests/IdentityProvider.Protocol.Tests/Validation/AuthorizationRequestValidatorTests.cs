using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Tests.Fakes;
using IdentityProvider.Protocol.Validation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace IdentityProvider.Protocol.Tests.Validation;

public sealed class AuthorizationRequestValidatorTests
{
    private const string RedirectUri = "https://app.example.com/callback";
    private const string Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    [Fact]
    public async Task Issues_WhenTheRequestIsValid()
    {
        var (validated, failure) = await ValidateAsync(ValidRequest());

        Assert.Null(failure);
        Assert.NotNull(validated);
        Assert.Equal("web", validated.Client.ClientId);
        Assert.Equal(["openid", "profile"], validated.Scopes);
        Assert.Equal(Challenge, validated.CodeChallenge);
        Assert.Equal("n-0S6", validated.Nonce);
        Assert.Equal(new AuthorizationResponseTarget(RedirectUri, ResponseModes.Query, "af0ifjsldkj"), validated.Target);
        Assert.Null(validated.MaxAge);
        Assert.Empty(validated.Prompt);
        Assert.Empty(validated.AcrValues);
    }

    [Fact]
    public async Task Rejects_WhenClientIdIsMissing_OnAPage()
    {
        var request = ValidRequest();
        request.Remove("client_id");

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.Null(failure.Target);
    }

    [Fact]
    public async Task Rejects_WhenTheClientIsUnknown_OnAPage()
    {
        var request = ValidRequest();
        request["client_id"] = "nobody";

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.Null(failure.Target);
    }

    [Fact]
    public async Task Rejects_WhenRedirectUriIsMissing_OnAPage()
    {
        var request = ValidRequest();
        request.Remove("redirect_uri");

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.Null(failure.Target);
    }

    [Theory]
    [InlineData("https://evil.example.com/callback")]
    [InlineData("https://app.example.com/callback/")]
    [InlineData("https://APP.example.com/callback")]
    [InlineData("https://app.example.com/Callback")]
    [InlineData("https://app.example.com/callback?x=1")]
    [InlineData("https://app.example.com/callback#frag")]
    [InlineData("http://app.example.com/callback")]
    [InlineData("https://app.example.com:443/callback")]
    public async Task Rejects_WhenRedirectUriIsNotAnExactMatch_OnAPage(string redirectUri)
    {
        var request = ValidRequest();
        request["redirect_uri"] = redirectUri;

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.Null(failure.Target);
    }

    [Fact]
    public async Task Issues_WhenRedirectUriMatchesAnotherRegisteredUri()
    {
        var request = ValidRequest();
        request["redirect_uri"] = "https://app.example.com/other?tenant=1";

        var (validated, _) = await ValidateAsync(request);

        Assert.Equal("https://app.example.com/other?tenant=1", validated?.Target.RedirectUri);
    }

    [Fact]
    public async Task Rejects_WhenResponseModeIsUnsupported_InQueryMode()
    {
        var request = ValidRequest();
        request["response_mode"] = "fragment";

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.Equal(new AuthorizationResponseTarget(RedirectUri, ResponseModes.Query, "af0ifjsldkj"), failure.Target);
    }

    [Fact]
    public async Task Issues_WhenResponseModeIsFormPost()
    {
        var request = ValidRequest();
        request["response_mode"] = "form_post";

        var (validated, _) = await ValidateAsync(request);

        Assert.Equal(ResponseModes.FormPost, validated?.Target.ResponseMode);
    }

    [Fact]
    public async Task Rejects_InFormPostMode_WhenFormPostWasAskedFor()
    {
        var request = ValidRequest();
        request["response_mode"] = "form_post";
        request.Remove("response_type");

        var failure = await FailAsync(request);

        Assert.Equal(new AuthorizationResponseTarget(RedirectUri, ResponseModes.FormPost, "af0ifjsldkj"), failure.Target);
    }

    [Fact]
    public async Task Rejects_WithoutState_WhenNoStateWasSent()
    {
        var request = ValidRequest();
        request.Remove("state");
        request.Remove("response_type");

        var failure = await FailAsync(request);

        Assert.Null(failure.Target?.State);
        Assert.Equal(RedirectUri, failure.Target?.RedirectUri);
    }

    [Fact]
    public async Task Rejects_WhenARequestObjectIsSent()
    {
        var request = ValidRequest();
        request["request"] = "eyJhbGciOiJub25lIn0.e30.";

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.RequestNotSupported, failure.Error.Error);
        Assert.Equal("af0ifjsldkj", failure.Target?.State);
    }

    [Fact]
    public async Task Rejects_WhenARequestUriIsSent()
    {
        var request = ValidRequest();
        request["request_uri"] = "https://app.example.com/request.jwt";

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.RequestUriNotSupported, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Fact]
    public async Task Rejects_WhenResponseTypeIsMissing()
    {
        var request = ValidRequest();
        request.Remove("response_type");

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("id_token")]
    [InlineData("code id_token")]
    [InlineData("code token")]
    [InlineData("Code")]
    public async Task Rejects_WhenResponseTypeIsNotCode(string responseType)
    {
        var request = ValidRequest();
        request["response_type"] = responseType;

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.UnsupportedResponseType, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Fact]
    public async Task Rejects_WhenTheClientIsNotRegisteredForTheAuthorizationCodeGrant()
    {
        var request = ValidRequest();
        request["client_id"] = "machine";
        request["redirect_uri"] = "https://machine.example.com/callback";

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.UnauthorizedClient, failure.Error.Error);
        Assert.Equal("https://machine.example.com/callback", failure.Target?.RedirectUri);
    }

    [Fact]
    public async Task Rejects_WhenNoScopeIsRequested()
    {
        var request = ValidRequest();
        request.Remove("scope");

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidScope, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Fact]
    public async Task Rejects_WhenAScopeIsNotAllowedForTheClient()
    {
        var request = ValidRequest();
        request["scope"] = "openid admin";

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidScope, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Fact]
    public async Task Rejects_WhenTheChallengeMethodIsPlain()
    {
        var request = ValidRequest();
        request["code_challenge_method"] = "plain";

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Fact]
    public async Task Rejects_WhenTheChallengeMethodIsNotExactlyS256()
    {
        var request = ValidRequest();
        request["code_challenge_method"] = "s256";

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
    }

    [Fact]
    public async Task Rejects_WhenAMethodIsSentWithoutAChallenge()
    {
        var request = ValidRequest();
        request.Remove("code_challenge");

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Fact]
    public async Task Rejects_WhenAChallengeIsSentWithoutAMethod_BecauseThatMeansPlain()
    {
        var request = ValidRequest();
        request.Remove("code_challenge_method");

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Theory]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cMx")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuG/Sstw-cM")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuG+Sstw-cM")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c=")]
    [InlineData("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuG.Sstw-cM")]
    public async Task Rejects_WhenTheChallengeIsMalformed(string challenge)
    {
        var request = ValidRequest();
        request["code_challenge"] = challenge;

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Fact]
    public async Task Requires_Pkce_WhenTheClientRequiresIt()
    {
        var request = WithoutPkce(ValidRequest());

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Fact]
    public async Task Requires_Pkce_ForAPublicClient_EvenWhenItsRegistrationSaysOtherwise()
    {
        var request = WithoutPkce(ValidRequest());
        request["client_id"] = "spa";
        request["redirect_uri"] = "https://spa.example.com/callback";

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Fact]
    public async Task Issues_WithoutPkce_ForAConfidentialClientThatDoesNotRequireIt()
    {
        var request = WithoutPkce(ValidRequest());
        request["client_id"] = "legacy";
        request["redirect_uri"] = "https://legacy.example.com/callback";

        var (validated, failure) = await ValidateAsync(request);

        Assert.Null(failure);
        Assert.Null(validated?.CodeChallenge);
    }

    [Fact]
    public async Task Rejects_WhenPromptHasAnUnknownValue()
    {
        var request = ValidRequest();
        request["prompt"] = "login sometimes";

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Theory]
    [InlineData("none login")]
    [InlineData("consent none")]
    public async Task Rejects_WhenPromptNoneIsCombined(string prompt)
    {
        var request = ValidRequest();
        request["prompt"] = prompt;

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Fact]
    public async Task Issues_WhenPromptCombinesLoginAndConsent()
    {
        var request = ValidRequest();
        request["prompt"] = "login consent";

        var (validated, _) = await ValidateAsync(request);

        Assert.True(validated?.PromptLogin);
        Assert.True(validated?.PromptConsent);
        Assert.False(validated?.PromptNone);
    }

    [Fact]
    public async Task Issues_WhenPromptIsNoneAlone()
    {
        var request = ValidRequest();
        request["prompt"] = "none";

        var (validated, _) = await ValidateAsync(request);

        Assert.True(validated?.PromptNone);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("+60")]
    [InlineData(" 60")]
    [InlineData("99999999999")]
    public async Task Rejects_WhenMaxAgeIsNotANonNegativeInteger(string maxAge)
    {
        var request = ValidRequest();
        request["max_age"] = maxAge;

        var failure = await FailAsync(request);

        Assert.Equal(ErrorCodes.InvalidRequest, failure.Error.Error);
        Assert.NotNull(failure.Target);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("3600", 3600)]
    public async Task Issues_WhenMaxAgeIsValid(string maxAge, int seconds)
    {
        var request = ValidRequest();
        request["max_age"] = maxAge;

        var (validated, _) = await ValidateAsync(request);

        Assert.Equal(TimeSpan.FromSeconds(seconds), validated?.MaxAge);
    }

    [Fact]
    public async Task Issues_WithTheAcrValuesParsed()
    {
        var request = ValidRequest();
        request["acr_values"] = "urn:acr:mfa  urn:acr:pwd urn:acr:mfa";

        var (validated, _) = await ValidateAsync(request);

        Assert.Equal(["urn:acr:mfa", "urn:acr:pwd"], validated?.AcrValues);
    }

    [Fact]
    public async Task Issues_WithTheLoginHintAndTheRawRequestKept()
    {
        var request = ValidRequest();
        request["login_hint"] = "alice@example.com";

        var (validated, _) = await ValidateAsync(request);

        Assert.Equal("alice@example.com", validated?.LoginHint);
        Assert.Equal("af0ifjsldkj", validated?.Raw["state"]);
    }

    private static Dictionary<string, string> ValidRequest() => new()
    {
        ["client_id"] = "web",
        ["redirect_uri"] = RedirectUri,
        ["response_type"] = "code",
        ["scope"] = "openid profile",
        ["state"] = "af0ifjsldkj",
        ["nonce"] = "n-0S6",
        ["code_challenge"] = Challenge,
        ["code_challenge_method"] = "S256",
    };

    private static Dictionary<string, string> WithoutPkce(Dictionary<string, string> request)
    {
        request.Remove("code_challenge");
        request.Remove("code_challenge_method");
        return request;
    }

    private static async Task<AuthorizationRequestFailure> FailAsync(Dictionary<string, string> request)
    {
        var (validated, failure) = await ValidateAsync(request);
        Assert.Null(validated);
        Assert.NotNull(failure);
        return failure;
    }

    private static Task<(ValidatedAuthorizationRequest? Request, AuthorizationRequestFailure? Failure)> ValidateAsync(Dictionary<string, string> request)
    {
        var parsed = ProtocolRequest.Parse(request.Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value)), new ProtocolLimitsOptions());
        Assert.True(parsed.Succeeded);
        return CreateValidator().ValidateAsync(parsed.Value, CancellationToken.None);
    }

    private static AuthorizationRequestValidator CreateValidator()
    {
        var codeFlow = new HashSet<string> { GrantTypes.AuthorizationCode, GrantTypes.RefreshToken };
        var scopes = new HashSet<string> { "openid", "profile", "email", "offline_access" };
        var store = new FakeClientStore(
            new ClientDefinition
            {
                ClientId = "web", DisplayName = "Web", TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic,
                RedirectUris = [RedirectUri, "https://app.example.com/other?tenant=1"], AllowedGrantTypes = codeFlow, AllowedScopes = scopes,
            },
            new ClientDefinition
            {
                ClientId = "spa", DisplayName = "SPA", Type = ClientType.Public, TokenEndpointAuthMethod = ClientAuthenticationMethods.None,
                RedirectUris = ["https://spa.example.com/callback"], AllowedGrantTypes = codeFlow, AllowedScopes = scopes, RequirePkce = false,
            },
            new ClientDefinition
            {
                ClientId = "legacy", DisplayName = "Legacy", TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic,
                RedirectUris = ["https://legacy.example.com/callback"], AllowedGrantTypes = codeFlow, AllowedScopes = scopes, RequirePkce = false,
            },
            new ClientDefinition
            {
                ClientId = "machine", DisplayName = "Machine", TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic,
                RedirectUris = ["https://machine.example.com/callback"], AllowedGrantTypes = new HashSet<string> { GrantTypes.ClientCredentials },
                AllowedScopes = scopes,
            });
        return new AuthorizationRequestValidator(store, NullLogger<AuthorizationRequestValidator>.Instance);
    }
}
