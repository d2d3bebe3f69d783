using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Persistence.Entities;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin.EmailTemplates;

/// <summary>The messages the provider sends, their placeholders, and whether an administrator changed them.</summary>
[AdminPermission(AdminPermissions.SecurityManageSettings)]
public sealed class IndexModel(EmailTemplateStore templates) : PageModel
{
    public IReadOnlyDictionary<string, EmailTemplateOverride> Overrides { get; private set; } = new Dictionary<string, EmailTemplateOverride>();

    public async Task OnGetAsync(CancellationToken cancellationToken) => Overrides = await templates.ListOverridesAsync(cancellationToken);
}
