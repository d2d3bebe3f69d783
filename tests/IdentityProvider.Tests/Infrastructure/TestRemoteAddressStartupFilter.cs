using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// TestServer connections have no remote address. In front of the app's pipeline, this sets it
/// from the <see cref="Header"/> request header, so a test can play several clients. Compiled into
/// the test assembly only: the app itself believes client addresses only from configured proxies.
/// </summary>
public sealed class TestRemoteAddressStartupFilter : IStartupFilter
{
    public const string Header = "X-Test-Remote-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, rest) =>
        {
            if (IPAddress.TryParse(http.Request.Headers[Header].ToString(), out var address))
            {
                http.Connection.RemoteIpAddress = address;
            }

            return rest();
        });
        next(app);
    };
}
