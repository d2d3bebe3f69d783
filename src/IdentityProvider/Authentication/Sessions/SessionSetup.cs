using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Authentication.Sessions;

internal static class SessionSetup
{
    /// <summary>
    /// The sign-in session cookie. Over https it is <c>__Host-</c> prefixed (Secure, no Domain,
    /// Path=/), so no sibling subdomain can set or read it; plain http is for local development.
    /// SameSite=Lax lets the top-level redirect from a relying party carry it.
    /// </summary>
    public static IServiceCollection AddSignInSessions(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SessionOptions>(configuration.GetSection(SessionOptions.SectionName));
        services.AddSingleton<DatabaseTicketStore>();
        services.AddSingleton<IAuthenticationSessions, CookieAuthenticationSessions>();
        services.AddSingleton<PartialSignIn>();
        services.AddScoped<SignInCompletion>();
        services.AddScoped<SignInSteps>();
        services.AddScoped<UserSessionRevocation>();
        services.AddScoped<RememberedBrowserStore>();
        services.AddScoped<IBrowserMemory>(provider => provider.GetRequiredService<RememberedBrowserStore>());
        services.AddAuthentication(SessionOptions.Scheme).AddCookie(SessionOptions.Scheme).AddCookie(PartialSignIn.Scheme);
        services.AddOptions<CookieAuthenticationOptions>(PartialSignIn.Scheme)
            .Configure<IOptions<OpenIdServerOptions>>((cookie, server) =>
            {
                var https = server.Value.Issuer.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                cookie.Cookie.Name = https ? "__Host-idp.partial" : "idp.partial";
                cookie.Cookie.SecurePolicy = https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                cookie.Cookie.HttpOnly = true;
                // Only this provider's own pages read it, but Lax rather than Strict: a federated
                // sign-in sets it on the upstream's redirect to our callback, and the redirect on to
                // the code or link page belongs to that cross-site navigation, in which browsers
                // withhold Strict cookies (RFC 6265bis §5.2), so the user would land on the login
                // page. Lax still keeps it off cross-site POSTs, and its forms carry antiforgery.
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.Path = "/";
                cookie.ExpireTimeSpan = PartialSignIn.Lifetime;
                cookie.SlidingExpiration = false;
            });
        services.AddOptions<CookieAuthenticationOptions>(SessionOptions.Scheme)
            .Configure<DatabaseTicketStore, IOptions<OpenIdServerOptions>, IOptions<InteractionOptions>, IOptions<SessionOptions>>(
                (cookie, store, server, pages, sessions) =>
                {
                    var https = server.Value.Issuer.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                    cookie.SessionStore = store;
                    cookie.Cookie.Name = https ? "__Host-idp.session" : "idp.session";
                    cookie.Cookie.SecurePolicy = https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                    cookie.Cookie.HttpOnly = true;
                    cookie.Cookie.SameSite = SameSiteMode.Lax;
                    cookie.Cookie.Path = "/";
                    cookie.ExpireTimeSpan = sessions.Value.IdleTimeout;
                    cookie.SlidingExpiration = true;
                    cookie.LoginPath = pages.Value.LoginPath;
                });
        return services;
    }
}
