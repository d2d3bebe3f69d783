using IdentityProvider.Protocol.Primitives;
using IdentityProvider.Protocol.Stores;

namespace IdentityProvider.Protocol.Issuance;

/// <summary>OIDC Core §5.4: the claims each standard scope releases. One mapping for the ID token and UserInfo.</summary>
public static class UserClaimsByScope
{
    public static Dictionary<string, object> Release(UserClaims user, IReadOnlyCollection<string> scopes)
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
