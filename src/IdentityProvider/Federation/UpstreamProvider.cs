using IdentityProvider.Policy;

namespace IdentityProvider.Federation;

/// <summary>How this provider authenticates itself at an upstream token endpoint (RFC 6749 §2.3, OIDC Core §9).</summary>
public enum UpstreamClientAuthentication
{
    ClientSecretBasic,
    ClientSecretPost,

    /// <summary>A JWT signed with this provider's own signing key; the upstream reads our JWKS.</summary>
    PrivateKeyJwt,
}

/// <summary>Which upstream ID-token/userinfo claims fill the local user's fields.</summary>
/// <param name="Groups">Claim holding group names; each group that names a local role grants it at provisioning.</param>
public sealed record UpstreamClaimMapping(
    string Subject = "sub",
    string Email = "email",
    string Name = "name",
    string? Groups = null);

/// <summary>
/// An upstream OpenID Connect provider users may sign in through (configured in the
/// <c>Federation:Providers</c> section or by an operator in the console or admin API).
/// The client secret is not part of it: it stays encrypted at rest and is read only where the
/// token request is made (<see cref="IUpstreamProviderDirectory.GetClientSecretAsync"/>).
/// </summary>
/// <param name="Id">Stable, URL-safe key (<c>[a-z0-9-]</c>): in the callback path and in the user's external login.</param>
/// <param name="DisplayName">"Sign in with {DisplayName}" on the login page.</param>
/// <param name="Issuer">The upstream's issuer identifier; its metadata comes from <c>{Issuer}/.well-known/openid-configuration</c>.</param>
/// <param name="MfaRule">What an upstream sign-in counts for here (seed 002: SSO users skip the second factor by default).</param>
/// <param name="ProvisionUsers">First sign-in of an unknown upstream user creates a local user (just in time).</param>
/// <param name="LinkByEmail">An upstream user whose verified email matches a local user may link to it, after proving that user's own factors.</param>
/// <param name="Domains">Email domains routed straight to this provider by <c>login_hint</c> (home-realm discovery).</param>
public sealed record UpstreamProvider(
    string Id,
    string DisplayName,
    string Issuer,
    string ClientId,
    UpstreamClientAuthentication ClientAuthentication,
    IReadOnlyList<string> Scopes,
    UpstreamClaimMapping Claims,
    FederatedMfaRule MfaRule,
    bool ProvisionUsers,
    bool LinkByEmail,
    IReadOnlyList<string> Domains,
    bool Enabled);

/// <summary>The upstream providers this identity provider federates with: configuration first, then the database.</summary>
public interface IUpstreamProviderDirectory
{
    /// <summary>Every provider, enabled or not, in display order.</summary>
    Task<IReadOnlyList<UpstreamProvider>> ListAsync(CancellationToken cancellationToken);

    /// <returns>Null when no provider has that id.</returns>
    Task<UpstreamProvider?> FindAsync(string providerId, CancellationToken cancellationToken);

    /// <returns>The decrypted client secret, or null (private_key_jwt, or none set).</returns>
    Task<string?> GetClientSecretAsync(string providerId, CancellationToken cancellationToken);
}
