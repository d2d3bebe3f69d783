using IdentityProvider.Admin.Api;
using IdentityProvider.Authentication.RateLimiting;
using IdentityProvider.Infrastructure.Branding;
using IdentityProvider.Infrastructure.Health;
using IdentityProvider.Infrastructure.Logging;
using IdentityProvider.Infrastructure.Outage;
using IdentityProvider.Infrastructure.Security;
using IdentityProvider.Protocol.Endpoints;

namespace IdentityProvider.Infrastructure;

internal static class ApplicationBuilderExtensions
{
    public static WebApplication UseIdentityProvider(this WebApplication app)
    {
        app.UseTrustedProxies(app.Configuration);
        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        if (app.Environment.IsDevelopment())
        {
            app.UseDeveloperExceptionPage();
        }
        else
        {
            // A generic page, never a stack trace; the exception goes to the log.
            app.UseExceptionHandler("/error");
            app.UseHsts();
        }

        // Inside the exception handler: a database outage is answered with 503 here, in every
        // environment; anything else goes on to the handler above.
        app.UseMiddleware<DatabaseOutageMiddleware>();

        app.UseStatusCodePagesWithReExecute("/status/{0}");
        app.UseStaticFiles();
        app.UseRequestLocalization();
        app.UseRouting();
        // After routing (policies are endpoint metadata) and after the status-code pages, which
        // render the 429; before authentication, so a refused post costs as little as possible.
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapIdentityProviderHealthChecks();
        // The host owns the rate limiter, so it applies the policies; the library only groups the endpoints.
        var protocol = app.MapOpenIdConnectServer();
        protocol.ClientAuthenticated.RequireRateLimiting(RateLimitingSetup.ProtocolPolicy);
        protocol.UserInfo.RequireRateLimiting(RateLimitingSetup.ProtocolPolicy);
        protocol.Authorization.RequireRateLimiting(RateLimitingSetup.AuthorizationPolicy);
        app.MapAdminApi();
        app.MapBrandStylesheet();
        app.MapRazorPages();
        return app;
    }
}
