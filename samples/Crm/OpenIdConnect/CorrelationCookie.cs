using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Samples.Crm.OpenIdConnect;

/// <summary>
/// What the app must remember between sending the browser to the provider and its return: the
/// PKCE verifier, the nonce, where to go afterwards, and what was asked for (so the answer can be
/// checked against it). It stays in the browser, encrypted and authenticated by data protection,
/// in a cookie named after the state value, so several tabs can sign in at once.
/// </summary>
public sealed record PendingSignIn(
    string CodeVerifier,
    string Nonce,
    string ReturnUrl,
    string? AcrValues,
    int? MaxAgeSeconds,
    DateTimeOffset CreatedAt);

/// <summary>For RP-initiated logout: the state sent to the end-session endpoint and where to go afterwards.</summary>
public sealed record PendingSignOut(string ReturnUrl, DateTimeOffset CreatedAt);

public sealed class CorrelationCookie(IDataProtectionProvider dataProtection, TimeProvider time)
{
    private const string Prefix = ".Crm.Correlation.";
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Samples.Crm.OpenIdConnect.Correlation");

    public void Write<T>(HttpContext http, string state, T value, TimeSpan lifetime)
    {
        var protectedValue = _protector.Protect(JsonSerializer.Serialize(value));
        http.Response.Cookies.Append(Prefix + state, protectedValue, Options(http, time.GetUtcNow() + lifetime));
    }

    /// <summary>Reads and deletes: a state is good for one return only.</summary>
    public T? Take<T>(HttpContext http, string state)
    {
        // The name is built from the state, so accept only what a state we generated looks like.
        if (state.Length is 0 or > 64 || !state.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return default;
        }

        if (!http.Request.Cookies.TryGetValue(Prefix + state, out var value))
        {
            return default;
        }

        http.Response.Cookies.Delete(Prefix + state, Options(http, expires: null));
        try
        {
            return JsonSerializer.Deserialize<T>(_protector.Unprotect(value));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return default;
        }
    }

    // Lax, not Strict: the return from the provider is a top-level cross-site navigation, which
    // Strict would strip the cookie from. HttpOnly: no script needs it.
    private static CookieOptions Options(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
