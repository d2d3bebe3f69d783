using System.Text;
using System.Text.Json;

namespace IdentityProvider.Tests.Fuzz;

/// <summary>What the fuzz may authenticate with, so requests get past the 401 to the code behind it.</summary>
public sealed record FuzzCredentials(
    string AdminBearer,
    string ClientId,
    string ClientSecret,
    string PublicClientId,
    string RedirectUri,
    string PostLogoutRedirectUri,
    string SessionCookies,
    string SessionAntiforgeryToken,
    string AnonymousCookies,
    string AnonymousAntiforgeryToken,
    string SessionCookieName,
    IReadOnlyList<string> FormFieldNames,
    IReadOnlyList<string> JsonPropertyNames);

/// <summary>
/// Hostile requests from a seeded <see cref="Random"/>: the same seed gives the same requests, so a
/// failure seen once can be replayed with <c>FUZZ_SEED</c>. Values never name a real user or email
/// address, and route values never name a real record, so no request the server answers correctly
/// can change security state: lockout counters, outbox and links stay as they were. Real client ids
/// and redirect URIs do appear now and then, so validation gets past its first check.
/// </summary>
public sealed class RequestGenerator(Random random, FuzzCredentials credentials)
{
    private const string AntiforgeryField = "__RequestVerificationToken";

    // The parameters the protocol endpoints and pages read (RFC 6749, RFC 7009, RFC 7662, OIDC
    // Core and RP-Initiated Logout), so values reach the validators instead of being ignored.
    private static readonly string[] ProtocolNames =
    [
        "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method",
        "prompt", "max_age", "acr_values", "id_token_hint", "login_hint", "response_mode", "request", "request_uri", "claims",
        "ui_locales", "display", "grant_type", "code", "code_verifier", "refresh_token", "token", "token_type_hint",
        "client_secret", "client_assertion", "client_assertion_type", "post_logout_redirect_uri", "logout_hint",
        "returnUrl", "ReturnUrl", "handler", "request_id", "error", "error_description", "iss", "session_state", "sid",
        "page", "pageSize", "q", "search", "from", "to", "type", "userId", "limit", "offset", "cursor", "key", "token_hint",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "FUZZ"];

    // An unsigned token (RFC 7519 §6.1, alg none) that names the admin scope: it must not authenticate anything.
    private static readonly string AlgNoneJwt =
        B64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + B64Url("{\"sub\":\"root\",\"scope\":\"openid idp.admin\",\"iss\":\"http://localhost\",\"exp\":4102444800}") + ".";

    private static readonly string Huge = new('A', 100_000);

    private static readonly string[] Hostile =
    [
        "", " ", "\t\r\n", "\0", "\u0001\u001f\u007f", "%00", "%zz", "%", "%C3%28", "\u202Egnp.exe", "😀", "e\u0301\u0301\u0301",
        "\uFFFF", "\uFEFF", "日本語", "-1", "0", "2147483648", "9223372036854775808", "-9223372036854775809", "1e309", "NaN", "-0",
        "0x7fffffff", "true", "null", "{}", "[]", "{\"a\":", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
        "' OR 1=1 --", "'; DROP TABLE \"AspNetUsers\"; --", "../../../etc/passwd", "..\\..\\web.config", "javascript:alert(1)",
        "https://evil.example/cb", "//evil.example", "/\\evil.example", "https:/\\evil.example", "http://localhost@evil.example",
        "data:text/html,<b>x</b>", "\r\nSet-Cookie: x=y", "openid", "openid profile email offline_access idp.admin", "code",
        "code id_token token", "S256", "plain", "none", "login consent select_account", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "authorization_code", "refresh_token", "client_credentials", "password", "urn:ietf:params:oauth:grant-type:device_code",
        "access_token", "refresh_token", AlgNoneJwt, "eyJ", "a.b.c", "a.b.c.d.e", "AAAA", "nobody-" + Guid.Empty,
        "ghost@nowhere.invalid", "@", "a@b", "2026-02-30T25:61:61Z", "0001-01-01", "P9999999D", Huge,
    ];

    public FuzzRequest Next(int number, FuzzEndpoint endpoint)
    {
        var method = endpoint.Methods.Count > 0 && random.Next(10) < 8
            ? Pick(endpoint.Methods)
            : endpoint.Methods.Count == 0 && random.Next(10) < 7 ? Pick(["GET", "POST"]) : Pick(Methods);
        var path = EndpointCatalogue.Path(endpoint, _ => RouteValue());
        var headers = new List<KeyValuePair<string, string>>();
        var credential = AddCredential(endpoint, headers);
        var antiforgeryToken = credential switch
        {
            "console session+antiforgery" => credentials.SessionAntiforgeryToken,
            "anonymous+antiforgery" => credentials.AnonymousAntiforgeryToken,
            _ => null,
        };
        var parameters = Parameters(endpoint, antiforgeryToken);
        var query = "";
        byte[]? body = null;
        if (method is "GET" or "HEAD" or "DELETE" || random.Next(5) == 0)
        {
            query = "?" + EncodeForm(parameters);
        }

        if (method is not ("GET" or "HEAD") || random.Next(10) == 0)
        {
            body = Body(endpoint, parameters, headers);
        }

        return new FuzzRequest(number, endpoint, method, path, query == "?" ? "" : query, headers, body, credential);
    }

    private string RouteValue() => Pick(
    [
        "does-not-exist", "00000000-0000-4000-8000-000000000000", "0", "-1", "2147483648", "..", ".", "../../admin", "..%2F..%2Fadmin",
        "x\0y", "%00", "%zz", "😀", "\u202E", "日本語", new string('z', 10_000), " ", "a b", "'", "<x>", "crm%2Fsecret",
    ]);

    private string AddCredential(FuzzEndpoint endpoint, List<KeyValuePair<string, string>> headers)
    {
        var roll = random.Next(100);
        if (endpoint.IsAdminApi && roll < 60)
        {
            headers.Add(new("Authorization", "Bearer " + credentials.AdminBearer));
            return "admin bearer";
        }

        if (endpoint.IsPage && roll < 60)
        {
            var signedIn = roll < 40;
            headers.Add(new("Cookie", signedIn ? credentials.SessionCookies : credentials.AnonymousCookies));
            return signedIn ? "console session+antiforgery" : "anonymous+antiforgery";
        }

        if (!endpoint.IsAdminApi && !endpoint.IsPage && roll < 40)
        {
            headers.Add(new("Authorization", BasicAuth(credentials.ClientId, credentials.ClientSecret)));
            return "confidential client";
        }

        switch (random.Next(8))
        {
            case 0:
                return "none";
            case 1:
                headers.Add(new("Authorization", Pick(["Bearer " + AlgNoneJwt, "Bearer garbage", "Bearer", "Bearer  ", "Bearer " + Huge, "Negotiate abc", "bearer " + credentials.AdminBearer[..^4] + "AAAA"])));
                return "wrong bearer";
            case 2:
                headers.Add(new("Authorization", Pick(
                [
                    "Basic !!!not-base64!!!", "Basic " + B64("no-colon"), "Basic " + B64(":"), "Basic " + B64("%zz:%zz"),
                    "Basic " + B64(credentials.ClientId + ":wrong-secret"), "Basic " + B64(Huge + ":" + Huge), "Basic", "Basic =",
                    "Basic " + B64("nobody:" + credentials.ClientSecret), "Basic " + Convert.ToBase64String([0xC3, 0x28, (byte)':', 0xFF]),
                ])));
                return "wrong basic";
            case 3:
                headers.Add(new("Cookie", credentials.SessionCookieName + "=" + Pick(["garbage", "", Huge[..5000], "CfDJ8" + new string('A', 200)])));
                return "forged session cookie";
            case 4:
                // Two Authorization headers: RFC 6749 §2.3 allows one client authentication method per request.
                headers.Add(new("Authorization", BasicAuth(credentials.ClientId, credentials.ClientSecret)));
                headers.Add(new("Authorization", "Bearer " + credentials.AdminBearer));
                return "two authorizations";
            case 5:
                headers.Add(new("Cookie", credentials.SessionCookies));
                return "console session, no antiforgery token";
            default:
                return "none";
        }
    }

    private List<KeyValuePair<string, string>> Parameters(FuzzEndpoint endpoint, string? antiforgeryToken)
    {
        var names = endpoint.IsAdminApi ? credentials.JsonPropertyNames : endpoint.IsPage ? credentials.FormFieldNames : ProtocolNames;
        var parameters = new List<KeyValuePair<string, string>>();
        for (var count = random.Next(0, 7); count > 0; count--)
        {
            var name = random.Next(10) switch
            {
                0 => Pick(ProtocolNames),
                1 => Pick(Hostile.Where(v => v.Length < 1000).ToArray()),
                _ => Pick(names),
            };
            parameters.Add(new(name, Value(name)));
            // RFC 6749 §3.1: parameters MUST NOT be repeated; a repeated one must be refused, not half-used.
            if (random.Next(6) == 0)
            {
                parameters.Add(new(name, Value(name)));
            }
        }

        if (antiforgeryToken is not null)
        {
            // Now and then a forged one, so the antiforgery check itself is fuzzed too.
            parameters.Add(new(AntiforgeryField, random.Next(10) == 0 ? "forged" : antiforgeryToken));
        }

        return parameters;
    }

    /// <summary>Mostly hostile values; now and then a real client id or redirect URI, so validation gets one step further.</summary>
    private string Value(string name) => random.Next(10) switch
    {
        0 when name is "client_id" => Pick([credentials.ClientId, credentials.PublicClientId]),
        0 when name is "redirect_uri" => Pick([credentials.RedirectUri, credentials.RedirectUri + "/../evil", credentials.RedirectUri + "?x=1", credentials.RedirectUri.ToUpperInvariant()]),
        0 when name is "post_logout_redirect_uri" => Pick([credentials.PostLogoutRedirectUri, credentials.PostLogoutRedirectUri + "x"]),
        1 => RandomText(random.Next(1, 64)),
        2 => random.Next(int.MinValue, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Pick(Hostile),
    };

    private byte[] Body(FuzzEndpoint endpoint, List<KeyValuePair<string, string>> parameters, List<KeyValuePair<string, string>> headers)
    {
        var kind = random.Next(12);
        if (endpoint.IsAdminApi && kind < 6)
        {
            kind = 100;
        }

        switch (kind)
        {
            case 100 or 0:
                headers.Add(new("Content-Type", Pick(["application/json", "application/json; charset=utf-8", "application/problem+json", "application/json; charset=bogus-42"])));
                return Encoding.UTF8.GetBytes(Json(parameters));
            case 1:
                headers.Add(new("Content-Type", "application/json"));
                return Encoding.UTF8.GetBytes(Pick(["{", "[1,", "\"unterminated", "{\"a\":1}}", new string('[', 5000), "{\"email\":\"\\uD800\"}", "nul", "{'single':'quotes'}"]));
            case 2:
                headers.Add(new("Content-Type", "multipart/form-data; boundary=" + Pick(["fuzz", "", "\"", Huge[..2000]])));
                return Encoding.UTF8.GetBytes("--fuzz\r\nContent-Disposition: form-data; name=\"" + (parameters.FirstOrDefault().Key ?? "x") + "\"\r\n\r\n"
                    + (parameters.FirstOrDefault().Value ?? "") + Pick(["\r\n--fuzz--\r\n", "", "\r\n--fu"]));
            case 3:
                headers.Add(new("Content-Type", Pick(["text/plain", "application/xml", "application/x-www-form-urlencoded; charset=bogus-42", "application/octet-stream", ";;;", "application/x-www-form-urlencoded; charset=utf-16"])));
                return Encoding.UTF8.GetBytes(EncodeForm(parameters));
            case 4:
                // No Content-Type at all.
                return Encoding.UTF8.GetBytes(EncodeForm(parameters));
            case 5:
                headers.Add(new("Content-Type", "application/x-www-form-urlencoded"));
                // Invalid UTF-8 (a lone continuation byte, an overlong slash, a truncated sequence) in names and values.
                return [.. Encoding.ASCII.GetBytes("client_id="), 0x80, 0xC0, 0xAF, (byte)'&', 0xE2, 0x82, (byte)'=', 0xFF, .. Encoding.ASCII.GetBytes("&" + EncodeForm(parameters))];
            case 6:
                headers.Add(new("Content-Type", "application/x-www-form-urlencoded"));
                return Encoding.UTF8.GetBytes(Huge + "=" + Huge + "&" + EncodeForm(parameters));
            default:
                headers.Add(new("Content-Type", "application/x-www-form-urlencoded"));
                return Encoding.UTF8.GetBytes(EncodeForm(parameters));
        }
    }

    /// <summary>A JSON object with the names given, values of whatever type the die says (wrong types included).</summary>
    private string Json(List<KeyValuePair<string, string>> parameters)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            foreach (var (name, value) in parameters)
            {
                json.WritePropertyName(name);
                switch (random.Next(8))
                {
                    case 0: json.WriteNumberValue(random.Next(2) == 0 ? long.MaxValue : -1); break;
                    case 1: json.WriteBooleanValue(true); break;
                    case 2: json.WriteNullValue(); break;
                    case 3: json.WriteStartArray(); json.WriteStringValue(value); json.WriteNumberValue(0); json.WriteEndArray(); break;
                    case 4: json.WriteStartObject(); json.WriteString("$ref", value); json.WriteEndObject(); break;
                    default: json.WriteStringValue(value); break;
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Form encoding, but sometimes with the value left raw so broken percent-escapes and bare separators get through.</summary>
    private string EncodeForm(List<KeyValuePair<string, string>> parameters) => string.Join("&", parameters.Select(p =>
        random.Next(8) == 0 ? p.Key + "=" + p.Value : Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    private string RandomText(int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => (char)random.Next(random.Next(4) == 0 ? 0x20 : 0x21, random.Next(4) == 0 ? 0x3000 : 0x7F)));

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string BasicAuth(string id, string secret) =>
        "Basic " + B64(Uri.EscapeDataString(id) + ":" + Uri.EscapeDataString(secret));

    private static string B64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    private static string B64Url(string value) => B64(value).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
