namespace IdentityProvider.Admin.ConsoleAccess;

/// <summary>
/// The permission a console page (on its model class) or one of its handlers (on the method)
/// needs; a handler's own attribute adds to the page's. Checked by <see cref="AdminConsoleFilter"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class AdminPermissionAttribute(string permission) : Attribute
{
    public string Permission { get; } = permission;
}
