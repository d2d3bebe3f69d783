using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// A stand-in sign-in page for protocol tests, compiled into the test assembly only, so it can
/// never ship. It completes the waiting request through the same interaction seam the real pages
/// use, with whatever user and factors the test names:
/// <c>GET /test/login?request=ID&amp;user=USER_ID&amp;amr=pwd+otp&amp;acr=X</c>. Without a user it
/// answers 200, standing for "the login page was shown".
/// </summary>
public sealed class TestLoginStartupFilter : IStartupFilter
{
    public const string Path = "/test/login";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        // In front of the app's own pipeline, answering only its one path.
        app.Use(async (http, rest) =>
        {
            if (http.Request.Path != Path)
            {
                await rest();
                return;
            }

            var requestId = http.Request.Query["request"].ToString();
            var user = http.Request.Query["user"].ToString();
            if (user.Length == 0)
            {
                await http.Response.WriteAsync("login page for " + requestId);
                return;
            }

            var interaction = http.RequestServices.GetRequiredService<AuthorizationInteraction>();
            var time = http.RequestServices.GetRequiredService<TimeProvider>();
            var amr = http.Request.Query["amr"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var acr = http.Request.Query["acr"].ToString();
            var resume = await interaction.CompleteLoginAsync(http, requestId,
                new AuthenticationResult(user, time.GetUtcNow(), amr.Length > 0 ? amr : ["pwd"], acr.Length > 0 ? acr : null));
            if (resume is null)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            http.Response.Redirect(resume);
        });
        next(app);
    };
}
