using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Samples.Tests;

/// <summary>
/// The smallest relying party a browser test can send an authorization response to: one page at
/// <see cref="RedirectUri"/> that answers 200 and does nothing with the code, so the test reads
/// the code from the browser's address and redeems it itself. Playwright cannot intercept a
/// request a redirect makes, and the CRM refuses a response to a request it did not start.
/// </summary>
public sealed class CallbackSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CallbackSite(WebApplication app, int port)
    {
        _app = app;
        RedirectUri = $"http://localhost:{port}/callback";
    }

    public string RedirectUri { get; }

    public static async Task<CallbackSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapGet("/callback", () => Results.Content("<!doctype html><title>Callback</title><p>Signed in.</p>", "text/html"));
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new CallbackSite(app, bound.Port);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
