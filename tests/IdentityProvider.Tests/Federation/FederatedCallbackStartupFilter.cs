using IdentityProvider.Federation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Federation;

/// <summary>
/// Stands in for the upstream callback, compiled into the test assembly only: it builds the
/// <see cref="UpstreamIdentity"/> a validated upstream ID token would give and hands it to the real
/// <see cref="IFederatedSignIn"/>, then redirects (303) where that says:
/// <c>GET /test/federated-callback?provider=P&amp;sub=S&amp;email=E&amp;verified=true&amp;amr=pwd+otp&amp;groups=a+b&amp;name=N&amp;request=ID</c>.
/// </summary>
public sealed class FederatedCallbackStartupFilter : IStartupFilter
{
    public const string Path = "/test/federated-callback";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, rest) =>
        {
            if (http.Request.Path != Path)
            {
                await rest();
                return;
            }

            var query = http.Request.Query;
            string? Optional(string name) => query[name].ToString() is { Length: > 0 } value ? value : null;
            string[] List(string name) => query[name].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var amr = List("amr");
            var identity = new UpstreamIdentity(query["provider"].ToString(), query["sub"].ToString(), Optional("email"), query["verified"] == "true",
                Optional("name"), List("groups"), amr, null, "upstream-id-token-" + query["sub"])
            {
                ShowsMultipleFactors = amr.Contains("mfa") || amr.Distinct().Count() >= 2,
            };
            var next = await http.RequestServices.GetRequiredService<IFederatedSignIn>().ContinueAsync(http, identity, Optional("request"), http.RequestAborted);
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            http.Response.Headers.Location = next;
        });
        next(app);
    };
}
