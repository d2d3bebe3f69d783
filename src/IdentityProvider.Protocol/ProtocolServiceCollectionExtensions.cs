using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Issuance;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Validation.Grants;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Protocol;

public static class ProtocolServiceCollectionExtensions
{
    /// <summary>
    /// The protocol's own services. The host binds the options and registers the stores
    /// (<c>IClientStore</c>, <c>ISigningKeyStore</c>, <c>IReplayCache</c>) as singletons.
    /// </summary>
    public static IServiceCollection AddOpenIdConnectServer(this IServiceCollection services)
    {
        services.AddSingleton<DiscoveryDocument>();
        services.AddSingleton<SigningKeyGenerator>();
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<PrivateKeyJwtValidator>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddSingleton<ClientCredentialsGrantValidator>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<TokenEndpoint>();
        return services;
    }
}
