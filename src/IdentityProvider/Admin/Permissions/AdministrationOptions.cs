using IdentityProvider.Admin.Bootstrap;

namespace IdentityProvider.Admin.Permissions;

/// <summary>
/// Who may administer what, bound from <c>Administration</c>. Permissions are the strings of
/// <see cref="AdminPermissions"/>; unknown strings are refused at start-up.
/// </summary>
public sealed class AdministrationOptions
{
    public const string SectionName = "Administration";

    /// <summary>
    /// Role name → permissions of its members, e.g. <c>"RolePermissions": { "helpdesk": ["users.read"] }</c>.
    /// Default: the <see cref="Roles.Administrator"/> role has every permission, unless this map
    /// names that role itself (then exactly what it lists).
    /// </summary>
    public Dictionary<string, List<string>> RolePermissions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Client id → permissions of that client's own (client_credentials) tokens. Default: none, so a
    /// client can do nothing through the admin API until an operator grants it permissions here.
    /// </summary>
    public Dictionary<string, List<string>> ClientPermissions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The configured role permissions with the default for the administrator role filled in.</summary>
    public IReadOnlyList<string> PermissionsOfRole(string role) =>
        RolePermissions.TryGetValue(role, out var permissions) ? permissions
        : role == Roles.Administrator ? AdminPermissions.All
        : [];

    public IReadOnlyList<string> PermissionsOfClient(string clientId) =>
        ClientPermissions.TryGetValue(clientId, out var permissions) ? permissions : [];

    /// <returns>Every configured permission that is not one of <see cref="AdminPermissions.All"/>, for start-up validation.</returns>
    public IEnumerable<string> UnknownPermissions() =>
        RolePermissions.Values.Concat(ClientPermissions.Values).SelectMany(p => p).Where(p => !AdminPermissions.All.Contains(p)).Distinct();
}
