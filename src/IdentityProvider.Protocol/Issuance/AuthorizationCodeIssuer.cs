using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Interaction;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using IdentityProvider.Protocol.Validation;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Issuance;

/// <summary>
/// Mints authorization codes. The code is returned once and stored only as its hash, bound to
/// the client, redirect URI, PKCE challenge, nonce and what the session proved.
/// </summary>
public sealed class AuthorizationCodeIssuer(IAuthorizationCodeStore codes, TimeProvider time, IOptions<OpenIdServerOptions> server)
{
    public async Task<string> IssueAsync(ValidatedAuthorizationRequest request, AuthenticatedSession session, string? acr, CancellationToken cancellationToken)
    {
        var code = OpaqueTokens.New();
        var record = new AuthorizationCodeRecord(
            request.Client.ClientId,
            GrantId: OpaqueTokens.New()[..22],
            session.Subject,
            session.SessionId,
            request.Target.RedirectUri,
            request.Scopes,
            request.Nonce,
            request.CodeChallenge,
            session.AuthTime,
            session.Amr,
            acr,
            time.GetUtcNow() + server.Value.AuthorizationCodeLifetime);
        await codes.StoreAsync(OpaqueTokens.Hash(code), record, cancellationToken);
        return code;
    }
}
