using System.Globalization;
using Microsoft.AspNetCore.Authentication;

namespace Samples.Crm.OpenIdConnect;

/// <summary>
/// The tokens kept in the session cookie's (encrypted) properties. <c>HttpContext.GetTokenAsync("access_token")</c>
/// reads them back wherever the app calls an API.
/// </summary>
public static class SessionTokens
{
    public const string AccessToken = "access_token";
    public const string RefreshToken = "refresh_token";
    public const string IdToken = "id_token";
    public const string ExpiresAt = "expires_at";

    /// <param name="previous">On refresh, values the new response may omit (RFC 6749 §6: the refresh token; OIDC Core §12.2: the ID token).</param>
    public static IEnumerable<AuthenticationToken> From(TokenResponse response, DateTimeOffset now, AuthenticationProperties? previous = null)
    {
        yield return new AuthenticationToken { Name = AccessToken, Value = response.AccessToken! };
        yield return new AuthenticationToken
        {
            Name = ExpiresAt,
            // RFC 6749 §5.1: expires_in is relative; store the absolute time once, on receipt.
            Value = (now + TimeSpan.FromSeconds(response.ExpiresIn ?? 3600)).ToString("o", CultureInfo.InvariantCulture),
        };
        if ((response.RefreshToken ?? previous?.GetTokenValue(RefreshToken)) is { } refreshToken)
        {
            yield return new AuthenticationToken { Name = RefreshToken, Value = refreshToken };
        }

        if ((response.IdToken ?? previous?.GetTokenValue(IdToken)) is { } idToken)
        {
            yield return new AuthenticationToken { Name = IdToken, Value = idToken };
        }
    }

    public static DateTimeOffset? GetExpiresAt(this AuthenticationProperties properties) =>
        DateTimeOffset.TryParse(properties.GetTokenValue(ExpiresAt), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value) ? value : null;
}
