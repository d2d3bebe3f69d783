using IdentityProvider.Authentication.Sessions;
using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Federation.Upstream;

/// <summary>"Also sign out of {provider}": the upstream's end-session URL and the provider's display name.</summary>
public sealed record UpstreamSignOutLink(string ProviderName, string Url);

/// <summary>
/// Offers the user of a federated session to end their session at the upstream too, after ours
/// ended. We are the upstream's relying party, so this is an RP-initiated logout request (OIDC
/// RP-Initiated Logout 1.0 §2) that the user's browser makes by following a link; it is offered,
/// not forced, since the user may want to stay signed in at the upstream for other applications.
/// </summary>
public sealed partial class UpstreamSignOut(
    IUpstreamProviderDirectory providers,
    UpstreamMetadataCache metadata,
    IOptions<OpenIdServerOptions> server,
    ILogger<UpstreamSignOut> logger)
{
    /// <summary>
    /// The link for the session <paramref name="http"/> just ended, or null: a local session, a
    /// provider that is gone or disabled, or an upstream without an <c>end_session_endpoint</c>.
    /// </summary>
    public async Task<UpstreamSignOutLink?> LinkAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (EndedFederatedSession.Of(http) is not { } ended)
        {
            return null;
        }

        var provider = await providers.FindAsync(ended.ProviderId, cancellationToken);
        if (provider is not { Enabled: true })
        {
            return null;
        }

        Uri? endSession;
        try
        {
            endSession = (await metadata.GetMetadataAsync(provider.Issuer, cancellationToken)).EndSessionEndpoint;
        }
        catch (Exception ex) when (ex is UpstreamUnavailableException or UpstreamIssuerMismatchException)
        {
            // Our session has ended either way; only the offer is lost.
            LogMetadataUnavailable(logger, provider.Id, ex.Message);
            return null;
        }

        if (endSession is null)
        {
            return null;
        }

        // §2: id_token_hint (the ID token the upstream issued to us for this session) lets the
        // upstream end the right session without asking whom; client_id names us; the
        // post_logout_redirect_uri must be registered there and lands on a page that only says so;
        // §3: state comes back unchanged.
        var url = QueryHelpers.AddQueryString(endSession.AbsoluteUri, new Dictionary<string, string?>
        {
            ["id_token_hint"] = ended.IdToken,
            ["client_id"] = provider.ClientId,
            ["post_logout_redirect_uri"] = server.Value.UrlOf(FederationPaths.SignedOut(provider.Id)),
            ["state"] = OpaqueTokens.New()[..22],
        });
        return new UpstreamSignOutLink(provider.DisplayName, url);
    }

    [LoggerMessage(7460, LogLevel.Warning, "Could not offer the sign-out at upstream {ProviderId}: {Reason}")]
    private static partial void LogMetadataUnavailable(ILogger logger, string providerId, string reason);
}
