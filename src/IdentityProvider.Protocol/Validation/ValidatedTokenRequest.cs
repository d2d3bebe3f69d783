using IdentityProvider.Protocol.ClientAuthentication;
using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Protocol.Validation;

/// <summary>A token request that passed every check: what issuance may mint, and for whom.</summary>
/// <param name="Scopes">The scopes of the tokens to mint (for a refresh, possibly narrower than the grant's).</param>
/// <param name="Grant">The user's grant; null when the client acts for itself (client_credentials).</param>
/// <param name="IsNewGrant">True when a code is redeemed: issuance records the grant before minting under it.</param>
/// <param name="Nonce">OIDC Core §3.1.3.6: echoed in the ID token minted from a code.</param>
public sealed record ValidatedTokenRequest(
    AuthenticatedClient Client,
    string GrantType,
    IReadOnlyList<string> Scopes,
    GrantRecord? Grant = null,
    bool IsNewGrant = false,
    string? Nonce = null)
{
    /// <summary>The user's claims, when the validator already read them (to check the user is still active).</summary>
    public UserClaims? User { get; init; }

    public string Subject => Grant?.Subject ?? Client.Client.ClientId;
}
