using System.Net;
using System.Net.Sockets;
using IdentityProvider.Federation;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Federation;

/// <summary>
/// The app with providers pointing at a <see cref="FakeUpstream"/>: <c>corp</c> (client_secret_basic),
/// <c>other</c> (the same upstream, client_secret_post), <c>down</c> (a port nobody listens on),
/// <c>off</c> (disabled), <c>jwt</c> (private_key_jwt); and a recording <see cref="IFederatedSignIn"/> in place of the account side.
/// </summary>
public sealed class FederationHost : IAsyncDisposable
{
    private readonly IdentityProviderFactory _factory;

    private FederationHost(IdentityProviderFactory factory, WebApplicationFactory<Program> app, FakeUpstream upstream, RecordingFederatedSignIn signIn)
    {
        _factory = factory;
        App = app;
        Upstream = upstream;
        SignIn = signIn;
    }

    public WebApplicationFactory<Program> App { get; }

    public FakeUpstream Upstream { get; }

    public RecordingFederatedSignIn SignIn { get; }

    public static async Task<FederationHost> StartAsync(TestDatabase database, FakeTimeProvider time, IReadOnlyDictionary<string, string>? extra = null)
    {
        var upstream = await FakeUpstream.StartAsync(time);
        var settings = new Dictionary<string, string>();
        void Provider(int index, string id, string issuer, string authentication, bool enabled = true)
        {
            var prefix = $"Federation:Providers:{index}:";
            settings[prefix + "Id"] = id;
            settings[prefix + "DisplayName"] = $"Corp {id}";
            settings[prefix + "Issuer"] = issuer;
            settings[prefix + "ClientId"] = FakeUpstream.ClientId;
            settings[prefix + "ClientSecret"] = FakeUpstream.ClientSecret;
            settings[prefix + "ClientAuthentication"] = authentication;
            settings[prefix + "Claims:Groups"] = "groups";
            settings[prefix + "Enabled"] = enabled ? "true" : "false";
        }

        Provider(0, "corp", upstream.Issuer, "client_secret_basic");
        Provider(1, "other", upstream.Issuer, "client_secret_post");
        Provider(2, "down", $"http://127.0.0.1:{FreePort()}", "client_secret_basic");
        Provider(3, "off", upstream.Issuer, "client_secret_basic", enabled: false);
        Provider(4, "jwt", upstream.Issuer, "private_key_jwt");
        settings.Remove("Federation:Providers:4:ClientSecret");
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var signIn = new RecordingFederatedSignIn();
        var factory = new IdentityProviderFactory(database, time, settings: settings);
        var app = factory.WithWebHostBuilder(web => web.ConfigureTestServices(services => services.AddSingleton<IFederatedSignIn>(signIn)));
        return new FederationHost(factory, app, upstream, signIn);
    }

    /// <summary>A browser: its own cookie jar, redirects not followed.</summary>
    public HttpClient NewBrowser() =>
        App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(IdentityProviderFactory.Issuer) });

    /// <summary>Start at us, then the upstream's authorize endpoint; returns the callback path and query it redirects the browser to.</summary>
    public async Task<string> AuthorizeAtUpstreamAsync(HttpClient browser, string providerId = "corp", string? start = null)
    {
        var started = await browser.GetAsync(start ?? FederationPaths.Start(providerId, "req-1"));
        Assert.True(started.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther, $"start answered {(int)started.StatusCode}");
        var authorize = started.Headers.Location!;
        Assert.StartsWith(Upstream.Issuer + "/authorize?", authorize.AbsoluteUri, StringComparison.Ordinal);
        using var upstreamBrowser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var answer = await upstreamBrowser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var callback = answer.Headers.Location!;
        Assert.Equal(IdentityProviderFactory.Issuer + FederationPaths.Callback(providerId), callback.GetLeftPart(UriPartial.Path));
        return callback.PathAndQuery;
    }

    public Task<List<AuditEvent>> FailuresAsync() =>
        WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "federation.sign_in_failed").OrderBy(e => e.Id).ToListAsync());

    public async Task<T> WithDbAsync<T>(Func<IdentityProviderDbContext, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<IdentityProviderDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _factory.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
