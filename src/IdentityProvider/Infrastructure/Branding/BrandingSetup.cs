using Microsoft.Extensions.Options;

namespace IdentityProvider.Infrastructure.Branding;

internal static class BrandingSetup
{
    public const string StylesheetPath = "/css/brand.css";

    public static IServiceCollection AddBranding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BrandingOptions>()
            .Bind(configuration.GetSection(BrandingOptions.SectionName))
            .Validate(b => BrandingOptions.IsValidColour(b.PrimaryColour), "Branding:PrimaryColour must be a colour like #1f5fbf.")
            .Validate(b => BrandingOptions.IsValidLogoPath(b.LogoPath), "Branding:LogoPath must be a path on this server, e.g. /brand/logo.svg.")
            .ValidateOnStart();
        return services;
    }

    /// <summary>
    /// The operator's colour as a stylesheet of its own, served from this origin: pages keep a
    /// Content-Security-Policy without 'unsafe-inline' styles.
    /// </summary>
    public static IEndpointRouteBuilder MapBrandStylesheet(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(StylesheetPath, (IOptions<BrandingOptions> branding) =>
            Results.Text($":root {{ --brand: {branding.Value.PrimaryColour}; }}\n", "text/css"));
        return endpoints;
    }
}
