namespace IdentityProvider.Admin.Api;

public static class AdminApiScopes
{
    /// <summary>
    /// The scope an access token needs to reach <c>/admin/api</c> at all. What the caller may then do
    /// is decided by its permissions (<see cref="Permissions.AdminPermissions"/>), not by more scopes.
    /// </summary>
    public const string Admin = "idp.admin";
}
