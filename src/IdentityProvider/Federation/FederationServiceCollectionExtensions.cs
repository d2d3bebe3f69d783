using IdentityProvider.Federation.Accounts;
using IdentityProvider.Federation.Providers;
using IdentityProvider.Federation.Upstream;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Federation;

internal static class FederationServiceCollectionExtensions
{
    /// <summary>
    /// Upstream providers (configuration and database), the relying-party half of federated
    /// sign-in (start, callback, metadata), and the local half that continues it
    /// (<see cref="IFederatedSignIn"/>: provisioning, linking and the tickets between them).
    /// </summary>
    public static IServiceCollection AddFederation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FederationOptions>().Bind(configuration.GetSection(FederationOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FederationOptions>, FederationOptionsValidator>();

        services.AddSingleton<UpstreamClientSecretProtector>();
        services.AddScoped<UpstreamProviderDirectory>();
        services.AddScoped<IUpstreamProviderDirectory>(sp => sp.GetRequiredService<UpstreamProviderDirectory>());
        services.AddScoped<UpstreamProviderManager>();
        services.AddScoped<UpstreamProviderOverview>();

        services.AddHttpClient(UpstreamMetadataCache.HttpClientName, (sp, client) =>
            {
                client.Timeout = sp.GetRequiredService<IOptions<FederationOptions>>().Value.HttpTimeout;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("IdentityProvider-Federation/1.0");
            })
            // Upstream endpoints come from discovery; a redirect would lead credentials elsewhere.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddSingleton<UpstreamMetadataCache>();
        services.AddSingleton<UpstreamIdTokenValidator>();
        services.AddSingleton<BrowserBinding>();
        services.AddScoped<FederationStateStore>();
        services.AddScoped<FederationFailureRecorder>();
        services.AddScoped<UpstreamTokenClient>();
        services.AddScoped<UpstreamUserInfoClient>();
        services.AddScoped<FederationStarter>();
        services.AddScoped<FederationCallback>();
        services.AddScoped<UpstreamSignOut>();

        services.AddScoped<IFederatedSignIn, FederatedSignInService>();
        services.AddScoped<FederatedUserProvisioner>();
        services.AddScoped<FederatedSignInTickets>();
        services.AddScoped<FederatedSignInCompletion>();
        services.AddScoped<FederationFacts>();
        return services;
    }
}
