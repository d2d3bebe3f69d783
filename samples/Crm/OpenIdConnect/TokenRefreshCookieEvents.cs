using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Samples.Crm.OpenIdConnect;

/// <summary>
/// Keeps the access token usable: on each request whose token is about to expire, redeem the
/// refresh token (RFC 6749 §6) and store the new tokens in the cookie. When the provider refuses
/// (the grant was revoked, the user disabled, the refresh token expired), the local session ends
/// too, and the next request signs in again.
/// </summary>
/// <remarks>
/// The provider rotates refresh tokens and treats reuse of an old one as theft, revoking the whole
/// grant. Two requests from the same browser that both refresh at once would trip that; a busier
/// app would keep tokens server side and refresh under a per-session lock.
/// </remarks>
public sealed partial class TokenRefreshCookieEvents(
    ProviderMetadata metadata,
    TokenClient tokenClient,
    IdTokenValidator idTokenValidator,
    IOptionsMonitor<RelyingPartyOptions> options,
    TimeProvider time,
    ILogger<TokenRefreshCookieEvents> logger) : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var now = time.GetUtcNow();
        var expiresAt = context.Properties.GetExpiresAt();
        if (expiresAt is null || expiresAt.Value - now > options.Get(RelyingPartyDefaults.Scheme).RefreshBeforeExpiry)
        {
            return;
        }

        var refreshToken = context.Properties.GetTokenValue(SessionTokens.RefreshToken);
        var refreshed = refreshToken is null
            ? new TokenResult(null, "no refresh token (offline_access not granted)")
            : await tokenClient.RefreshAsync(await metadata.GetAsync(context.HttpContext.RequestAborted), refreshToken, context.HttpContext.RequestAborted);
        if (refreshed.Succeeded && await IsSameUserAsync(refreshed.Tokens!, context))
        {
            context.Properties.StoreTokens(SessionTokens.From(refreshed.Tokens!, now, context.Properties));
            // Write the cookie again, with the new tokens.
            context.ShouldRenew = true;
            return;
        }

        LogRefreshFailed(logger, refreshed.Error ?? "the refreshed ID token does not match the session");
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(RelyingPartyDefaults.CookieScheme);
    }

    // OIDC Core §12.2: an ID token returned on refresh must be valid and about the same user.
    private async Task<bool> IsSameUserAsync(TokenResponse tokens, CookieValidatePrincipalContext context)
    {
        if (tokens.IdToken is null)
        {
            return true;
        }

        var validated = await idTokenValidator.ValidateAsync(tokens.IdToken,
            new IdTokenExpectations(Nonce: null, tokens.AccessToken, MaxAgeSeconds: null, AcrValues: null), context.HttpContext.RequestAborted);
        return validated.Succeeded && validated.Token!.Subject == context.Principal?.FindFirst("sub")?.Value;
    }

    [LoggerMessage(3, LogLevel.Information, "Token refresh failed, ending the local session: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
