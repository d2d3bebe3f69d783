using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Protocol.Endpoints;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Federation.Upstream;

/// <summary>The authorization response as the upstream sent it to our redirect URI (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2).</summary>
public sealed record UpstreamAuthorizationResponse(string? State, string? Code, string? Error, string? Issuer);

/// <summary>
/// <c>GET /federation/{id}/callback</c>: the checklist that turns the upstream's answer into a
/// verified <see cref="UpstreamIdentity"/>, then hands it to <see cref="IFederatedSignIn"/>. Each
/// check returns early with a failure that is audited; nothing is handed over unless all pass.
/// </summary>
public sealed class FederationCallback(
    IUpstreamProviderDirectory providers,
    FederationStateStore states,
    BrowserBinding binding,
    UpstreamMetadataCache metadata,
    UpstreamTokenClient tokens,
    UpstreamIdTokenValidator idTokens,
    UpstreamUserInfoClient userInfo,
    IFederatedSignIn signIn,
    FederationFailureRecorder failures,
    TimeProvider time,
    IOptions<OpenIdServerOptions> server)
{
    private const int MaxParameterLength = 4096;

    public async Task<FederationOutcome> CompleteAsync(HttpContext http, string providerId, UpstreamAuthorizationResponse response, CancellationToken cancellationToken)
    {
        var provider = await providers.FindAsync(providerId, cancellationToken);
        var name = provider?.DisplayName;
        PendingFederation? pending = null;
        Task<FederationOutcome> Refuse(FederationFailure failure) =>
            failures.RecordAsync(providerId, failure with { RequestId = pending?.RequestId }, cancellationToken);

        // RFC 6749 §10.12: the state must be one this provider issued, once, to this browser.
        if (string.IsNullOrEmpty(response.State) || response.State.Length > MaxParameterLength)
        {
            return await Refuse(FederationFailure.StateInvalid("missing state", name));
        }

        pending = await states.TakeAsync(response.State, cancellationToken);
        if (pending is null)
        {
            return await Refuse(FederationFailure.StateInvalid("unknown or already used state", name));
        }

        if (pending.ProviderId != providerId)
        {
            return await Refuse(FederationFailure.StateInvalid($"state was issued for provider {pending.ProviderId}", name));
        }

        if (pending.ExpiresAt <= time.GetUtcNow())
        {
            return await Refuse(FederationFailure.StateInvalid("state expired", name));
        }

        if (binding.CurrentHash(http) is not { } browser
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(browser), Encoding.ASCII.GetBytes(pending.BrowserBindingHash)))
        {
            return await Refuse(FederationFailure.StateInvalid("state was started in another browser", name));
        }

        if (provider is not { Enabled: true })
        {
            return await Refuse(FederationFailure.UnknownProvider(provider is null ? "unknown provider" : "provider disabled"));
        }

        UpstreamMetadata upstream;
        try
        {
            upstream = await metadata.GetMetadataAsync(provider.Issuer, cancellationToken);
        }
        catch (Exception ex) when (ex is UpstreamUnavailableException or UpstreamIssuerMismatchException)
        {
            return await Refuse(FederationFailure.Unavailable(provider.DisplayName, "upstream metadata unavailable: " + ex.Message));
        }

        // RFC 9207 §2.4: an upstream that says it sends iss must send it; whenever iss is present it
        // must be the upstream's issuer, or the response came from another provider (mix-up).
        if (response.Issuer is null ? upstream.IssParameterSupported : !string.Equals(response.Issuer, provider.Issuer, StringComparison.Ordinal))
        {
            return await Refuse(FederationFailure.ResponseInvalid(provider.DisplayName, response.Issuer is null ? "iss parameter missing (RFC 9207)" : "iss parameter is not the upstream's issuer (RFC 9207)"));
        }

        // RFC 6749 §4.1.2.1: the upstream refused or the user cancelled.
        if (!string.IsNullOrEmpty(response.Error))
        {
            var error = response.Error.Length > 60 ? response.Error[..60] : response.Error;
            return await Refuse(error == "access_denied"
                ? FederationFailure.Cancelled(provider.DisplayName, "upstream error: access_denied")
                : FederationFailure.UpstreamError(provider.DisplayName, "upstream error: " + error));
        }

        if (string.IsNullOrEmpty(response.Code) || response.Code.Length > MaxParameterLength)
        {
            return await Refuse(FederationFailure.ResponseInvalid(provider.DisplayName, "missing code"));
        }

        UpstreamTokens tokenResponse;
        try
        {
            tokenResponse = await tokens.RedeemAsync(provider, upstream, response.Code, pending.CodeVerifier,
                FederationStarter.RedirectUri(server.Value.Issuer, provider.Id), cancellationToken);
        }
        catch (UpstreamUnavailableException ex)
        {
            return await Refuse(FederationFailure.Unavailable(provider.DisplayName, "token endpoint unavailable: " + ex.Message));
        }

        if (tokenResponse.Error is not null)
        {
            return await Refuse(FederationFailure.UpstreamError(provider.DisplayName, "token endpoint error: " + tokenResponse.Error));
        }

        var validated = await idTokens.ValidateAsync(tokenResponse.IdToken, tokenResponse.AccessToken, provider, upstream, pending.Nonce, cancellationToken);
        if (validated.Token is not { } idToken)
        {
            return await Refuse(FederationFailure.ResponseInvalid(provider.DisplayName, validated.Reason!, StatusCodes.Status502BadGateway));
        }

        var claims = !idToken.TryGetClaim(provider.Claims.Email, out _) || !idToken.TryGetClaim(provider.Claims.Name, out _)
            ? tokenResponse.AccessToken is { } accessToken ? await userInfo.GetAsync(upstream, accessToken, idToken.Subject, cancellationToken) : null
            : null;
        var identity = UpstreamClaimsMapper.Map(provider, idToken, tokenResponse.IdToken!, claims);
        if (string.IsNullOrEmpty(identity.Subject))
        {
            return await Refuse(FederationFailure.ResponseInvalid(provider.DisplayName, "id_token has no subject", StatusCodes.Status502BadGateway));
        }

        var next = await signIn.ContinueAsync(http, identity, pending.RequestId, cancellationToken);

        // Only ever a path on this server: the hand-over must not become an open redirect.
        if (!IsLocalPath(next))
        {
            return await Refuse(FederationFailure.UpstreamError(provider.DisplayName, "the local sign-in answered a non-local redirect"));
        }

        return FederationOutcome.Redirect(next);
    }

    private static bool IsLocalPath(string? path) =>
        path is { Length: > 0 } && path[0] == '/' && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'))
        && !path.Any(char.IsControl);
}
