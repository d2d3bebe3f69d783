using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Issuance;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Validation;
using IdentityProvider.Protocol.Validation.Grants;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentityProvider.Protocol;

public static class ProtocolServiceCollectionExtensions
{
    /// <summary>
    /// The protocol's own services. The host binds the options and registers the stores
    /// (<c>Stores/</c>) and <see cref="IAuthenticationSessions"/> as singletons. A host's own
    /// <see cref="IAuthenticationRequirementEvaluator"/>, <see cref="IClientRequestLimiter"/> or <see cref="IRsaKeyPairSource"/>,
    /// registered before, replaces the default.
    /// </summary>
    public static IServiceCollection AddOpenIdConnectServer(this IServiceCollection services)
    {
        services.AddSingleton<DiscoveryDocument>();
        services.TryAddSingleton<IRsaKeyPairSource, GeneratedRsaKeyPairs>();
        services.AddSingleton<SigningKeyGenerator>();
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<PrivateKeyJwtValidator>();
        services.AddSingleton<ClientAuthenticator>();
        services.TryAddSingleton<IClientRequestLimiter, NoClientRequestLimit>();
        services.AddSingleton<ClientAuthenticatedRequestReader>();
        services.AddSingleton<ClientCredentialsGrantValidator>();
        services.AddSingleton<AuthorizationCodeGrantValidator>();
        services.AddSingleton<RefreshTokenGrantValidator>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<ScopeClaimsMapper>();
        services.AddSingleton<IdTokenIssuer>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<TokenEndpoint>();

        services.AddSingleton<AccessTokenValidator>();
        services.AddSingleton<UserInfoEndpoint>();
        services.AddSingleton<IntrospectionEndpoint>();
        services.AddSingleton<RevocationEndpoint>();

        services.AddSingleton<AuthorizationRequestValidator>();
        services.TryAddSingleton<IAuthenticationRequirementEvaluator, SessionAcrRequirementEvaluator>();
        services.AddSingleton<AuthorizationInteractionEvaluator>();
        services.AddSingleton<AuthorizationCodeIssuer>();
        services.AddSingleton<AuthorizationResponseWriter>();
        services.AddSingleton<AuthorizationEndpoint>();
        services.AddSingleton<AuthorizationInteraction>();

        services.AddSingleton<EndSessionRequestValidator>();
        services.AddSingleton<EndSessionEndpoint>();
        return services;
    }
}
