namespace IdentityProvider.Admin.Permissions;

/// <summary>
/// What an administrator may do, one string per kind of operation. The console and the admin API
/// check the same strings; roles and clients are granted them in <see cref="AdministrationOptions"/>.
/// </summary>
public static class AdminPermissions
{
    /// <summary>See users and their factors.</summary>
    public const string UsersRead = "users.read";

    /// <summary>Add, request and remove users' sign-in factors (passkeys, passkey requests).</summary>
    public const string UsersManageFactors = "users.manage_factors";

    /// <summary>Create, edit, disable users and reset passwords.</summary>
    public const string UsersManage = "users.manage";

    /// <summary>Change the provider's security settings.</summary>
    public const string SecurityManageSettings = "security.manage_settings";

    /// <summary>Register, change and remove clients.</summary>
    public const string ClientsManage = "clients.manage";

    /// <summary>Read the audit trail.</summary>
    public const string AuditRead = "audit.read";

    public static readonly IReadOnlyList<string> All = [UsersRead, UsersManageFactors, UsersManage, SecurityManageSettings, ClientsManage, AuditRead];
}
