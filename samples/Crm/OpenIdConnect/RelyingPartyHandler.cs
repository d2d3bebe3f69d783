using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Samples.Crm.OpenIdConnect;

/// <summary>
/// Signs users in through the identity provider with the authorization code flow (OIDC Core §3.1)
/// and PKCE (RFC 7636), and out again with RP-Initiated Logout 1.0. The session itself is the
/// cookie scheme's; this handler only runs the protocol:
/// <list type="bullet">
/// <item>challenge: send the browser to the authorization endpoint;</item>
/// <item><see cref="RelyingPartyOptions.CallbackPath"/>: check the response, redeem the code, validate the ID token, sign in;</item>
/// <item>sign-out: end the local session, then the provider's;</item>
/// <item><see cref="RelyingPartyOptions.SignedOutCallbackPath"/>: the provider's return after sign-out.</item>
/// </list>
/// </summary>
public sealed partial class RelyingPartyHandler(
    IOptionsMonitor<RelyingPartyOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ProviderMetadata metadata,
    TokenClient tokenClient,
    IdTokenValidator idTokenValidator,
    CorrelationCookie correlation)
    : AuthenticationHandler<RelyingPartyOptions>(options, loggerFactory, encoder), IAuthenticationRequestHandler, IAuthenticationSignOutHandler
{
    /// <summary>Items of <see cref="AuthenticationProperties"/> a challenge may carry for a step-up.</summary>
    public const string AcrValuesItem = "acr_values";
    public const string MaxAgeItem = "max_age";

    // This scheme never authenticates a request by itself: the cookie scheme does.
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var provider = await metadata.GetAsync(Context.RequestAborted);
        // RFC 6749 §10.12: state binds the response to this browser (CSRF); OIDC Core §3.1.2.1:
        // nonce binds the ID token to it (replay); RFC 7636 §4.1-4.2: the verifier stays here and
        // only its S256 hash travels, so a stolen code is useless.
        var state = RandomValue();
        var nonce = RandomValue();
        var codeVerifier = RandomValue();
        // Without an explicit destination (the authorization middleware's challenge), come back to the page asked for.
        var returnUrl = properties.RedirectUri ?? OriginalPathBase + OriginalPath + Request.QueryString;
        var acrValues = properties.Items.TryGetValue(AcrValuesItem, out var acr) ? acr : null;
        int? maxAge = properties.Items.TryGetValue(MaxAgeItem, out var age) ? int.Parse(age!, CultureInfo.InvariantCulture) : null;
        correlation.Write(Context, state,
            new PendingSignIn(codeVerifier, nonce, LocalOrRoot(returnUrl), acrValues, maxAge, TimeProvider.GetUtcNow()),
            Options.CorrelationLifetime);

        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = Options.ClientId,
            ["redirect_uri"] = CallbackUri(),
            ["scope"] = Options.Scope,
            ["state"] = state,
            ["nonce"] = nonce,
            ["code_challenge"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier))),
            ["code_challenge_method"] = "S256",
        };
        if (acrValues is not null)
        {
            // OIDC Core §3.1.2.1: ask for a stronger sign-in (step-up).
            parameters["acr_values"] = acrValues;
        }

        if (maxAge is not null)
        {
            // ...and one no older than this, so a step-up really means "the user just proved it".
            parameters["max_age"] = maxAge.Value.ToString(CultureInfo.InvariantCulture);
        }

        Response.Redirect(QueryHelpers.AddQueryString(provider.AuthorizationEndpoint, parameters));
    }

    public async Task<bool> HandleRequestAsync()
    {
        if (Request.Path == Options.CallbackPath)
        {
            await HandleCallbackAsync();
            return true;
        }

        if (Request.Path == Options.SignedOutCallbackPath)
        {
            HandleSignedOutCallback();
            return true;
        }

        return false;
    }

    private async Task HandleCallbackAsync()
    {
        var query = Request.Query;
        var provider = await metadata.GetAsync(Context.RequestAborted);

        // RFC 6749 §10.12: a response is accepted only for a request this browser started.
        var pending = correlation.Take<PendingSignIn>(Context, query["state"].ToString());
        if (pending is null || TimeProvider.GetUtcNow() - pending.CreatedAt > Options.CorrelationLifetime)
        {
            await FailAsync("unknown or expired state");
            return;
        }

        // RFC 9207 §2.4: the response must come from the issuer we sent the browser to (mix-up
        // defence). This provider advertises the parameter, so its absence is refused too.
        if (query["iss"].ToString() != provider.Issuer)
        {
            await FailAsync("the iss parameter does not name the expected issuer");
            return;
        }

        // OIDC Core §3.1.2.6: an error response (access_denied, login_required, ...).
        if (!string.IsNullOrEmpty(query["error"]))
        {
            await FailAsync("the provider answered " + query["error"]);
            return;
        }

        var code = query["code"].ToString();
        if (code.Length == 0)
        {
            await FailAsync("no code in the response");
            return;
        }

        // OIDC Core §3.1.3.1-3.1.3.3: redeem the code on the back channel.
        var tokens = await tokenClient.RedeemCodeAsync(provider, code, CallbackUri(), pending.CodeVerifier, Context.RequestAborted);
        if (!tokens.Succeeded)
        {
            await FailAsync("code redemption failed: " + tokens.Error);
            return;
        }

        // OIDC Core §3.1.3.7
        var idToken = await idTokenValidator.ValidateAsync(tokens.Tokens!.IdToken,
            new IdTokenExpectations(pending.Nonce, tokens.Tokens.AccessToken, pending.MaxAgeSeconds, pending.AcrValues), Context.RequestAborted);
        if (!idToken.Succeeded)
        {
            await FailAsync("ID token rejected: " + idToken.Error);
            return;
        }

        var properties = new AuthenticationProperties { RedirectUri = pending.ReturnUrl };
        properties.StoreTokens(SessionTokens.From(tokens.Tokens, TimeProvider.GetUtcNow()));
        var principal = new ClaimsPrincipal(IdTokenValidator.ToIdentity(idToken.Token!, Scheme.Name));
        await Context.SignInAsync(RelyingPartyDefaults.CookieScheme, principal, properties);
        LogSignedIn(Logger, idToken.Token!.Subject);
        Response.Redirect(pending.ReturnUrl);
    }

    public async Task SignOutAsync(AuthenticationProperties? properties)
    {
        // The ID token is the id_token_hint (RP-Initiated Logout §2): it tells the provider which
        // session to end, so it can do so without asking the user to confirm.
        var session = await Context.AuthenticateAsync(RelyingPartyDefaults.CookieScheme);
        var idToken = session.Properties?.GetTokenValue(SessionTokens.IdToken);
        await Context.SignOutAsync(RelyingPartyDefaults.CookieScheme);

        var returnUrl = LocalOrRoot(properties?.RedirectUri);
        var provider = await metadata.GetAsync(Context.RequestAborted);
        if (string.IsNullOrEmpty(provider.EndSessionEndpoint))
        {
            Response.Redirect(returnUrl);
            return;
        }

        var state = RandomValue();
        correlation.Write(Context, state, new PendingSignOut(returnUrl, TimeProvider.GetUtcNow()), Options.CorrelationLifetime);
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = Options.ClientId,
            ["post_logout_redirect_uri"] = AbsoluteUri(Options.SignedOutCallbackPath),
            ["state"] = state,
        };
        if (idToken is not null)
        {
            parameters["id_token_hint"] = idToken;
        }

        Response.Redirect(QueryHelpers.AddQueryString(provider.EndSessionEndpoint, parameters));
    }

    private void HandleSignedOutCallback()
    {
        // RP-Initiated Logout §3: the provider echoes state; only our own sign-out is followed
        // to its stored destination, anything else lands on the home page.
        var pending = correlation.Take<PendingSignOut>(Context, Request.Query["state"].ToString());
        Response.Redirect(pending?.ReturnUrl ?? "/");
    }

    private async Task FailAsync(string reason)
    {
        // Log the detail; the user sees only that sign-in did not complete.
        LogSignInFailed(Logger, reason);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        Response.ContentType = "text/plain; charset=utf-8";
        await Response.WriteAsync("Sign-in did not complete. Go back to the application and try again.");
    }

    private string CallbackUri() => AbsoluteUri(Options.CallbackPath);

    private string AbsoluteUri(PathString path) => Request.Scheme + "://" + Request.Host + Request.PathBase + path;

    // Only paths on this site: a return URL must never become an open redirect.
    private static string LocalOrRoot(string? url) =>
        url is ['/', not '/' and not '\\', ..] or "/" ? url : "/";

    private static string RandomValue() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    [LoggerMessage(1, LogLevel.Information, "Signed in {Subject} through the identity provider")]
    private static partial void LogSignedIn(ILogger logger, string subject);

    [LoggerMessage(2, LogLevel.Warning, "Sign-in through the identity provider failed: {Reason}")]
    private static partial void LogSignInFailed(ILogger logger, string reason);
}
