using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Samples.Crm.OpenIdConnect;

public static class RelyingPartyServiceCollectionExtensions
{
    /// <summary>
    /// Cookie sessions whose sign-in is delegated to the identity provider named in the
    /// <c>OpenIdConnect</c> section, plus the <see cref="MultiFactorRequirement.Policy"/> policy with step-up.
    /// </summary>
    public static IServiceCollection AddRelyingParty(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHttpClient(ProviderMetadata.HttpClientName);
        services.AddSingleton<ProviderMetadata>();
        services.AddSingleton<TokenClient>();
        services.AddSingleton<IdTokenValidator>();
        services.AddSingleton<CorrelationCookie>();
        services.AddScoped<TokenRefreshCookieEvents>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, StepUpAuthorizationResultHandler>();

        services.AddAuthentication(authentication =>
            {
                authentication.DefaultScheme = RelyingPartyDefaults.CookieScheme;
                authentication.DefaultChallengeScheme = RelyingPartyDefaults.Scheme;
            })
            .AddCookie(RelyingPartyDefaults.CookieScheme, cookie =>
            {
                // Named for this app: browsers share cookies between ports of one host, so a
                // provider on localhost:5000 and this app on localhost:5100 see each other's.
                cookie.Cookie.Name = ".Crm.Session";
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.HttpOnly = true;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
                cookie.EventsType = typeof(TokenRefreshCookieEvents);
            })
            .AddScheme<RelyingPartyOptions, RelyingPartyHandler>(RelyingPartyDefaults.Scheme, rp =>
                configuration.GetSection("OpenIdConnect").Bind(rp));

        services.AddAuthorizationBuilder()
            // Every page needs a signed-in user unless it says otherwise ([AllowAnonymous]).
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(MultiFactorRequirement.Policy, policy => policy.RequireAuthenticatedUser().AddRequirements(new MultiFactorRequirement()));
        return services;
    }
}
