using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Samples.Crm.OpenIdConnect;

/// <summary>
/// The provider's discovery document and JWKS (OIDC Discovery 1.0 §4), fetched on first use and
/// cached by <see cref="ConfigurationManager{T}"/>, which refetches them periodically and on
/// request, so the provider can rotate its signing keys without restarting this app.
/// </summary>
public sealed class ProviderMetadata
{
    public const string HttpClientName = "OpenIdConnect";

    private readonly ConfigurationManager<OpenIdConnectConfiguration> _manager;

    public ProviderMetadata(IOptionsMonitor<RelyingPartyOptions> options, IHttpClientFactory httpClients)
    {
        var rp = options.Get(RelyingPartyDefaults.Scheme);
        _manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            rp.Authority.TrimEnd('/') + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(httpClients.CreateClient(HttpClientName)) { RequireHttps = rp.RequireHttpsMetadata });
    }

    public Task<OpenIdConnectConfiguration> GetAsync(CancellationToken cancellationToken) => _manager.GetConfigurationAsync(cancellationToken);

    /// <summary>A token signed by a key we have not seen: the provider may have rotated, so look again (rate-limited by the manager).</summary>
    public void RequestRefresh() => _manager.RequestRefresh();
}
