using IdentityProvider.Persistence.Stores;
using IdentityProvider.Protocol;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Keys;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Infrastructure;

internal static class ProtocolSetup
{
    /// <summary>
    /// The protocol library with this host's stores and configuration. The issuer is the root
    /// <c>Issuer</c> key; endpoint paths and lists live under <c>OpenIdServer</c>.
    /// </summary>
    public static IServiceCollection AddProtocol(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OpenIdServerOptions>()
            .Bind(configuration.GetSection("OpenIdServer"))
            .Configure(options => options.Issuer = configuration["Issuer"] ?? options.Issuer)
            .Validate(options => IsValidIssuer(options.Issuer),
                "Issuer must be an absolute https URL without query or fragment (plain http only for localhost), e.g. https://id.example.com")
            // A superseded key leaves the JWKS MaxTokenLifetime after it stops signing; a token that
            // lived longer would become unverifiable while still unexpired.
            .Validate<IOptions<SigningKeyOptions>>((options, keys) => options.AccessTokenLifetime <= keys.Value.MaxTokenLifetime,
                "OpenIdServer:AccessTokenLifetime must not exceed SigningKeys:MaxTokenLifetime.")
            .ValidateOnStart();
        services.Configure<SigningKeyOptions>(configuration.GetSection(SigningKeyOptions.SectionName));
        services.Configure<ProtocolLimitsOptions>(configuration.GetSection("ProtocolLimits"));

        services.AddSingleton<ISigningKeyStore, EfSigningKeyStore>();
        services.AddSingleton<IReplayCache, EfReplayCache>();
        services.AddSingleton<IAuthorizationCodeStore, EfAuthorizationCodeStore>();
        services.AddSingleton<IGrantStore, EfGrantStore>();
        services.AddSingleton<IPendingAuthorizationStore, EfPendingAuthorizationStore>();
        services.AddSingleton<IConsentStore, EfConsentStore>();
        services.AddSingleton<IUserClaimsStore, EfUserClaimsStore>();
        services.Configure<InteractionOptions>(configuration.GetSection(InteractionOptions.SectionName));
        services.AddOpenIdConnectServer();
        services.AddHostedService<SigningKeyScheduler>();
        return services;
    }

    // OIDC Discovery §3 / RFC 8414 §2: an https URL with no query or fragment.
    private static bool IsValidIssuer(string issuer) =>
        Uri.TryCreate(issuer, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}
