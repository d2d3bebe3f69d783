using IdentityProvider.Admin.Users;
using IdentityProvider.Persistence.Entities;
using IdentityProvider.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Pages.Admin.Users;

/// <summary>The fields of the new-user and edit-user forms, as posted.</summary>
public sealed class UserForm
{
    public string? Email { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>Empty: in no organisation.</summary>
    public string? OrganisationId { get; set; }

    public List<string> Roles { get; set; } = [];

    public bool MfaRequired { get; set; }

    public UserAccountInput ToInput() =>
        new(Email, DisplayName, string.IsNullOrEmpty(OrganisationId) ? null : OrganisationId, Roles, MfaRequired);
}

/// <summary>What <c>_UserFields</c> shows: the form, its errors by field, and the choices.</summary>
public sealed record UserFieldsView(
    UserForm Form,
    IReadOnlyDictionary<string, string[]> Errors,
    IReadOnlyList<OrganisationSummary> Organisations,
    IReadOnlyList<string> Roles,
    bool ShowMfaRequired)
{
    public IEnumerable<string> ErrorsOf(string field) => Errors.TryGetValue(field, out var errors) ? errors : [];

    /// <summary>The organisations and roles an administrator can choose from.</summary>
    public static async Task<(IReadOnlyList<OrganisationSummary> Organisations, IReadOnlyList<string> Roles)> ChoicesAsync(
        OrganisationDirectory organisations, RoleManager<IdentityRole> roles, CancellationToken cancellationToken) =>
        (await organisations.ListAsync(cancellationToken),
         await roles.Roles.Where(r => r.Name != null).Select(r => r.Name!).OrderBy(n => n).ToListAsync(cancellationToken));
}
