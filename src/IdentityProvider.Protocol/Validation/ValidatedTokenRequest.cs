using IdentityProvider.Protocol.ClientAuthentication;

namespace IdentityProvider.Protocol.Validation;

/// <summary>A token request that passed every check: what issuance may mint, and for whom.</summary>
/// <param name="Subject">The user the tokens speak for; null when the client acts for itself.</param>
public sealed record ValidatedTokenRequest(
    AuthenticatedClient Client,
    string GrantType,
    IReadOnlyList<string> Scopes,
    string? Subject);
