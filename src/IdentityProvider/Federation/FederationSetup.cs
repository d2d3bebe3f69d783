using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentityProvider.Federation;

public static class FederationSetup
{
    /// <summary>
    /// The local half of federated sign-in: the hand-over from the upstream callback
    /// (<see cref="IFederatedSignIn"/>), provisioning, linking and the tickets between them.
    /// </summary>
    public static IServiceCollection AddFederatedAccounts(this IServiceCollection services)
    {
        services.AddScoped<IFederatedSignIn, FederatedSignInService>();
        services.AddScoped<FederatedUserProvisioner>();
        services.AddScoped<FederatedSignInTickets>();
        services.AddScoped<FederatedSignInCompletion>();
        services.AddScoped<FederationFacts>();

        // Only if the upstream half has not registered its directory: no providers then.
        services.TryAddSingleton<IUpstreamProviderDirectory, NoUpstreamProviders>();
        return services;
    }
}
