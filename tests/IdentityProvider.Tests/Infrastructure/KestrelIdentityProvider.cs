using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// The real application served by Kestrel on a loopback TCP port, for peers outside the process
/// (Node relying parties, browsers) that cannot reach the in-memory test server. It is the same
/// <see cref="IdentityProviderFactory"/> configuration with an issuer that carries the port.
/// </summary>
public sealed class KestrelIdentityProvider : IAsyncDisposable
{
    private const int Attempts = 3;

    private KestrelIdentityProvider(IdentityProviderFactory factory, Uri baseAddress)
    {
        Factory = factory;
        BaseAddress = baseAddress;
    }

    /// <summary>Services, captured logs and database access of the running app.</summary>
    public IdentityProviderFactory Factory { get; }

    /// <summary><c>http://localhost:PORT/</c>; peers must use this host name, since it is the issuer's.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The configured issuer, <c>http://localhost:PORT</c> (no trailing slash).</summary>
    public string Issuer => BaseAddress.GetLeftPart(UriPartial.Authority);

    public static async Task<KestrelIdentityProvider> StartAsync(
        TestDatabase database, FakeTimeProvider? time = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The issuer has to name the port before the host starts, so the port is chosen here
            // rather than by Kestrel; another process may take it in between, hence the retry.
            var port = FreePort();
            var baseAddress = new Uri($"http://localhost:{port}/");
            var factory = new IdentityProviderFactory(database, time, baseAddress.GetLeftPart(UriPartial.Authority), settings);
            factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            try
            {
                factory.StartServer();
                return new KestrelIdentityProvider(factory, baseAddress);
            }
            catch (IOException) when (attempt < Attempts)
            {
                await factory.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// An HTTP client over TCP with its own cookie jar that does not follow redirects, so it serves as a
    /// back channel and as a browser that a sign-in test stops at the redirect to the client.
    /// </summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = BaseAddress };

    public ValueTask DisposeAsync() => Factory.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
