using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>A password sign-in the upstream accepted (its login form), with what it put in the ID token for it.</summary>
public sealed record UpstreamLogin(string Sub, string ClientId, IReadOnlyList<string>? Amr, string? Acr);

/// <summary>A token request the upstream granted, and how the client authenticated.</summary>
public sealed record UpstreamTokenRequest(string ClientId, string AuthMethod, string GrantType);

/// <summary>A confirmed RP-initiated logout; <see cref="ClientId"/> is null when no client was named.</summary>
public sealed record UpstreamLogout(string? ClientId);

/// <summary>The upstream answered with a page where a redirect was expected: wrong credentials, or an error.</summary>
public sealed class UpstreamPageException(HttpStatusCode statusCode, Uri url, string html, string message)
    : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The address of the page the upstream answered with.</summary>
    public Uri Url { get; } = url;

    public string Html { get; } = html;
}

/// <summary>
/// A real, independent OpenID Provider on a loopback port (npm <c>oidc-provider</c> 9,
/// <c>tests/interop/upstream-provider.mjs</c> under Node), for proving federated sign-in against an
/// implementation that is not ours. Issuer <c>http://127.0.0.1:PORT</c>; PKCE (S256) required;
/// RFC 9207 <c>iss</c> on every authorization response; RP-initiated logout; its own login form
/// (<c>login</c>, <c>password</c>, "Sign in", "Cancel") and no consent page.
/// </summary>
public sealed class UpstreamOidcProvider : IAsyncDisposable
{
    private const int MaxHops = 10;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly HtmlParser Parser = new();

    private readonly List<UpstreamLogin> _logins = [];
    private readonly List<UpstreamTokenRequest> _tokenRequests = [];
    private readonly List<UpstreamLogout> _logouts = [];
    private NodeServer _server = null!;

    private UpstreamOidcProvider()
    {
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, without a trailing slash, exactly as in discovery and in <c>iss</c>.</summary>
    public string Issuer { get; private set; } = null!;

    public int Port { get; private set; }

    public Uri DiscoveryUrl => new($"{Issuer}/.well-known/openid-configuration");

    public IReadOnlyList<UpstreamLogin> Logins => Snapshot(_logins);

    public IReadOnlyList<UpstreamTokenRequest> TokenRequests => Snapshot(_tokenRequests);

    public IReadOnlyList<UpstreamLogout> Logouts => Snapshot(_logouts);

    public static async Task<UpstreamOidcProvider> StartAsync(UpstreamProviderConfig config)
    {
        var provider = new UpstreamOidcProvider();
        var (server, listening) = await NodeServer.StartAsync(
            "upstream-provider", "oidc-provider", JsonSerializer.Serialize(config, Json), provider.Record);
        provider._server = server;
        provider.Port = listening.GetProperty("listening").GetInt32();
        provider.Issuer = listening.GetProperty("issuer").GetString()!;
        return provider;
    }

    /// <summary>The client the sign-in helpers need: cookies kept, redirects not followed.</summary>
    public static HttpClient CreateBrowserClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });

    /// <summary>
    /// Plays the user's browser at the upstream: requests <paramref name="authorizationUrl"/>,
    /// follows the upstream's redirects, submits its login form once, and returns the first redirect
    /// that leaves the upstream (the relying party's redirect_uri with <c>code</c>, <c>state</c> and
    /// <c>iss</c>, or with <c>error</c>) without requesting it. A session from an earlier sign-in on
    /// the same <paramref name="client"/> skips the form.
    /// </summary>
    /// <param name="client">with a cookie container and automatic redirects off (<see cref="CreateBrowserClient"/>)</param>
    /// <exception cref="UpstreamPageException">the credentials were refused (the form came back), or the upstream showed an error page</exception>
    public Task<Uri> SignInAsync(HttpClient client, Uri authorizationUrl, string login, string password)
    {
        var submitted = false;
        return BrowseAsync(client, authorizationUrl, (url, page) =>
        {
            if (page.QuerySelector("form input[name=password]") is not { } field || submitted)
            {
                return null;
            }

            submitted = true;
            return Submit(url, (IHtmlFormElement)field.Closest("form")!,
                new Dictionary<string, string> { ["login"] = login, ["password"] = password, ["action"] = "login" });
        });
    }

    /// <summary>As <see cref="SignInAsync"/>, but presses "Cancel": the relying party gets <c>error=access_denied</c>.</summary>
    public Task<Uri> CancelSignInAsync(HttpClient client, Uri authorizationUrl) =>
        BrowseAsync(client, authorizationUrl, (url, page) =>
            page.QuerySelector("form input[name=password]")?.Closest("form") is IHtmlFormElement form
                ? Submit(url, form, new Dictionary<string, string> { ["action"] = "cancel" })
                : null);

    /// <summary>
    /// Follows <paramref name="endSessionUrl"/> (RP-initiated logout, which needs a
    /// post_logout_redirect_uri here), confirms "Sign out", and returns the redirect to the
    /// post_logout_redirect_uri (with <c>state</c>) without requesting it.
    /// </summary>
    public Task<Uri> SignOutAsync(HttpClient client, Uri endSessionUrl)
    {
        var confirmed = false;
        return BrowseAsync(client, endSessionUrl, (url, page) =>
        {
            if (confirmed || page.QuerySelector("form#op\\.logoutForm") is not IHtmlFormElement form)
            {
                return null;
            }

            confirmed = true;
            return Submit(url, form, new Dictionary<string, string> { ["logout"] = "yes" });
        });
    }

    /// <summary>Waits for the reports of <paramref name="count"/> logins (they arrive just after the redirect does).</summary>
    public Task<IReadOnlyList<UpstreamLogin>> WaitForLoginsAsync(int count) => WaitForAsync(() => Logins, count, "logins");

    public Task<IReadOnlyList<UpstreamTokenRequest>> WaitForTokenRequestsAsync(int count) => WaitForAsync(() => TokenRequests, count, "token requests");

    public Task<IReadOnlyList<UpstreamLogout>> WaitForLogoutsAsync(int count) => WaitForAsync(() => Logouts, count, "logouts");

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    // One loop for every helper: a redirect within the upstream is followed, a redirect elsewhere is
    // the answer, a page goes to onPage for the request that continues (null: the page is the end).
    private async Task<Uri> BrowseAsync(HttpClient client, Uri start, Func<Uri, IHtmlDocument, HttpRequestMessage?> onPage)
    {
        var url = start;
        var response = await client.GetAsync(url);
        for (var hop = 0; ; hop++)
        {
            using var current = response;
            if (hop == MaxHops)
            {
                throw new InvalidOperationException($"More than {MaxHops} hops at the upstream, last at {url}.");
            }

            if ((int)current.StatusCode is >= 300 and < 400 && current.Headers.Location is { } location)
            {
                var next = new Uri(url, location);
                if (!IsUpstream(next))
                {
                    return next;
                }

                url = next;
                response = await client.GetAsync(url);
                continue;
            }

            var html = await current.Content.ReadAsStringAsync();
            if (current.StatusCode != HttpStatusCode.OK)
            {
                throw new UpstreamPageException(current.StatusCode, url, html, $"The upstream answered {(int)current.StatusCode} at {url}: {Parser.ParseDocument(html).Body?.TextContent.Trim()}");
            }

            var page = Parser.ParseDocument(html);
            if (onPage(url, page) is not { } request)
            {
                var error = page.QuerySelector("[role=alert]")?.TextContent.Trim();
                throw new UpstreamPageException(current.StatusCode, url, html, error is null
                    ? $"The upstream showed '{page.Title}' at {url} where a redirect was expected."
                    : $"The upstream refused the sign-in: {error}");
            }

            url = request.RequestUri!;
            using (request)
            {
                response = await client.SendAsync(request);
            }
        }
    }

    private bool IsUpstream(Uri url) =>
        Uri.Compare(url, new Uri(Issuer), UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    // The form's hidden fields (the logout form's xsrf) go along, as a browser would send them.
    private static HttpRequestMessage Submit(Uri pageUrl, IHtmlFormElement form, IReadOnlyDictionary<string, string> values)
    {
        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(input => input.Type == "hidden" && !string.IsNullOrEmpty(input.Name))
            .ToDictionary(input => input.Name!, input => input.Value);
        foreach (var (name, value) in values)
        {
            fields[name] = value;
        }

        var action = form.GetAttribute("action");
        return new HttpRequestMessage(HttpMethod.Post, string.IsNullOrEmpty(action) ? pageUrl : new Uri(pageUrl, action))
        {
            Content = new FormUrlEncodedContent(fields),
        };
    }

    private void Record(JsonElement message)
    {
        if (message.TryGetProperty("login", out var login))
        {
            Add(_logins, login.Deserialize<UpstreamLogin>(Json)!);
        }
        else if (message.TryGetProperty("token", out var token))
        {
            Add(_tokenRequests, token.Deserialize<UpstreamTokenRequest>(Json)!);
        }
        else if (message.TryGetProperty("logout", out var logout))
        {
            Add(_logouts, logout.Deserialize<UpstreamLogout>(Json)!);
        }
    }

    private async Task<IReadOnlyList<T>> WaitForAsync<T>(Func<IReadOnlyList<T>> read, int count, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (read().Count < count)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"Expected {count} {what}, the upstream reported {read().Count}. stderr:\n{_server.Stderr()}");
            }

            await Task.Delay(20);
        }

        return read();
    }

    private static void Add<T>(List<T> list, T item)
    {
        lock (list)
        {
            list.Add(item);
        }
    }

    private static IReadOnlyList<T> Snapshot<T>(List<T> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }
}
