namespace IdentityProvider.Admin.Bootstrap;

public static class Roles
{
    /// <summary>Operators of the identity provider.</summary>
    public const string Administrator = "admin";
}
