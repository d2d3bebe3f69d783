using IdentityProvider.Protocol.Endpoints;
using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Protocol.Issuance;

/// <summary>
/// Which claims each scope releases: the standard scopes of OIDC Core §5.4, plus the scopes an
/// operator defines in <see cref="OpenIdServerOptions.ScopeClaims"/> over the user's own claims
/// and roles. One mapping for the ID token and UserInfo, so both always agree.
/// </summary>
public sealed class ScopeClaimsMapper(IOptions<OpenIdServerOptions> server)
{
    public Dictionary<string, object> Release(UserClaims user, IReadOnlyCollection<string> scopes)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["sub"] = user.Subject };
        if (scopes.Contains(StandardScopes.Profile))
        {
            AddIfPresent(claims, "name", user.Name);
            AddIfPresent(claims, "given_name", user.GivenName);
            AddIfPresent(claims, "family_name", user.FamilyName);
            AddIfPresent(claims, "preferred_username", user.PreferredUsername);
        }

        if (scopes.Contains(StandardScopes.Email) && user.Email is not null)
        {
            claims["email"] = user.Email;
            claims["email_verified"] = user.EmailVerified;
        }

        foreach (var scope in scopes)
        {
            if (!server.Value.ScopeClaims.TryGetValue(scope, out var claimTypes))
            {
                continue;
            }

            foreach (var type in claimTypes.Where(t => !claims.ContainsKey(t)))
            {
                var values = user.Additional.Where(c => c.Key == type).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToArray();
                // OIDC Core §5.1 claims are single strings; a claim the user holds several times
                // (roles, groups) becomes a JSON array.
                if (values.Length == 1)
                {
                    claims[type] = values[0];
                }
                else if (values.Length > 1)
                {
                    claims[type] = values;
                }
            }
        }

        return claims;
    }

    private static void AddIfPresent(Dictionary<string, object> claims, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            claims[name] = value;
        }
    }
}
