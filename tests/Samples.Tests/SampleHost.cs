using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Samples.Tests;

/// <summary>
/// A sample app served by Kestrel on a loopback port Kestrel picks, configured through its own
/// settings as an operator would. <typeparamref name="TMarker"/> is any type of the app's assembly.
/// </summary>
public sealed class SampleHost<TMarker> : WebApplicationFactory<TMarker>
    where TMarker : class
{
    private readonly IReadOnlyDictionary<string, string> _settings;

    private readonly TimeProvider? _time;

    private SampleHost(IReadOnlyDictionary<string, string> settings, TimeProvider? time)
    {
        _settings = settings;
        _time = time;
    }

    /// <summary><c>http://localhost:PORT</c>: browse by host name, as the registered redirect URIs do.</summary>
    public string BaseUrl { get; private set; } = "";

    public static SampleHost<TMarker> Start(IReadOnlyDictionary<string, string> settings, TimeProvider? time = null)
    {
        var host = new SampleHost<TMarker>(settings, time);
        host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        host.StartServer();
        var bound = new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        host.BaseUrl = $"http://localhost:{bound.Port}";
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (_time is not null)
        {
            builder.ConfigureServices(services => services.AddSingleton(_time));
        }
    }
}
