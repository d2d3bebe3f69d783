using Microsoft.AspNetCore.Localization;

namespace IdentityProvider.Infrastructure.Localization;

internal static class LocalizationSetup
{
    /// <summary>English and German are shipped; English is the fallback for anything else.</summary>
    public static readonly string[] SupportedCultures = ["en", "de"];

    public static IServiceCollection AddPageLocalization(this IServiceCollection services)
    {
        services.AddLocalization(options => options.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(options =>
        {
            options.SetDefaultCulture("en").AddSupportedCultures(SupportedCultures).AddSupportedUICultures(SupportedCultures);
            // Order of precedence: what the application asked for, then what the browser says.
            options.RequestCultureProviders =
            [
                new UiLocalesRequestCultureProvider(),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
            options.FallBackToParentUICultures = true;
            options.FallBackToParentCultures = true;
        });
        return services;
    }
}
