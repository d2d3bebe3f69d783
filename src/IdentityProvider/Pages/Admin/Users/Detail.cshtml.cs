using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Admin.Users;
using IdentityProvider.Authentication.Passkeys;
using IdentityProvider.Infrastructure.Web;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Admin.Users;

/// <summary>
/// One user: profile, organisation, roles, second factors, lockout, recent audit entries, and the
/// actions on them. Each action is a post that the console filter lets through only with
/// users.manage_factors (factors, lockout) or users.manage (account), done by the service that owns
/// it (which audits it), then back here.
/// </summary>
[AdminPermission(AdminPermissions.UsersRead)]
public sealed class DetailModel(
    UserDetails details,
    UserAccountActions actions,
    UserMfaRequirement mfaRequirement,
    PasskeyRequests passkeyRequests,
    PasskeyManager passkeys,
    UserAccountChanges accounts,
    IAuthenticationSessions sessions) : PageModel
{
    public const string MessageKey = "admin.users.message";

    public const string MfaDisabled = "Two-factor authentication is off for this user. Every administrator has been emailed.";
    public const string NothingToDisable = "This user has no authenticator app or recovery codes to remove.";
    public const string MfaRequiredSet = "This user must now use a second factor.";
    public const string MfaRequiredCleared = "This user is no longer required to use a second factor.";
    public const string PasskeyRequested = "The user will be asked to register a passkey at their next sign-in.";
    public const string PasskeyRequestCancelled = "The passkey request has been withdrawn.";
    public const string PasskeyDeleted = "The passkey has been deleted.";
    public const string Unlocked = "The account is unlocked.";
    public const string Disabled = "The account is disabled: the user cannot sign in, and their sessions and refresh tokens have ended.";
    public const string Enabled = "The account is enabled: the user can sign in again.";
    public const string CannotDisableSelf = "You cannot disable your own account.";
    public const string LastAdministrator = "This is the last enabled administrator: the account cannot be disabled.";
    public const string PasswordResetSent = "The user has been emailed a single-use link to set a new password.";
    public const string NoEmailAddress = "The user has no email address to send the link to.";

    public UserDetail Detail { get; private set; } = null!;

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        if (await details.FindAsync(id, cancellationToken) is not { } detail)
        {
            return NotFound();
        }

        Detail = detail;
        Message = TempData[MessageKey] as string;
        return Page();
    }

    [AdminPermission(AdminPermissions.UsersManageFactors)]
    public async Task<IActionResult> OnPostDisableMfaAsync(string id, CancellationToken cancellationToken)
    {
        var administrator = await AdministratorAsync();
        var outcome = await actions.DisableMfaAsync(id, administrator,
            await actions.AdministratorTextAsync(administrator, cancellationToken), cancellationToken);
        return outcome switch
        {
            DisableMfaOutcome.UnknownUser => NotFound(),
            DisableMfaOutcome.NothingToDisable => Back(id, NothingToDisable),
            _ => Back(id, MfaDisabled),
        };
    }

    [AdminPermission(AdminPermissions.UsersManageFactors)]
    public async Task<IActionResult> OnPostMfaRequiredAsync(string id, bool required, CancellationToken cancellationToken) =>
        await mfaRequirement.SetAsync(id, required, await AdministratorAsync(), cancellationToken)
            ? Back(id, required ? MfaRequiredSet : MfaRequiredCleared)
            : NotFound();

    [AdminPermission(AdminPermissions.UsersManageFactors)]
    public async Task<IActionResult> OnPostRequestPasskeyAsync(string id, CancellationToken cancellationToken)
    {
        if (await details.FindAsync(id, cancellationToken) is null)
        {
            return NotFound();
        }

        await passkeyRequests.RequestAsync(id, await AdministratorAsync(), cancellationToken);
        return Back(id, PasskeyRequested);
    }

    [AdminPermission(AdminPermissions.UsersManageFactors)]
    public async Task<IActionResult> OnPostCancelPasskeyRequestAsync(string id, CancellationToken cancellationToken)
    {
        // Nothing pending (withdrawn meanwhile, or a second click): back to the page, which shows the state.
        return await passkeyRequests.CancelAsync(id, await AdministratorAsync(), cancellationToken)
            ? Back(id, PasskeyRequestCancelled)
            : new SeeOtherResult("/admin/users/" + Uri.EscapeDataString(id));
    }

    [AdminPermission(AdminPermissions.UsersManageFactors)]
    public async Task<IActionResult> OnPostDeletePasskeyAsync(string id, string? passkeyId, CancellationToken cancellationToken)
    {
        if (!PasskeyManager.IsWellFormedId(passkeyId))
        {
            return BadRequest();
        }

        return await passkeys.DeleteAsync(id, passkeyId!, await AdministratorAsync(), cancellationToken)
            ? Back(id, PasskeyDeleted)
            : NotFound();
    }

    [AdminPermission(AdminPermissions.UsersManageFactors)]
    public async Task<IActionResult> OnPostUnlockAsync(string id, CancellationToken cancellationToken) =>
        await actions.UnlockAsync(id, await AdministratorAsync(), cancellationToken) ? Back(id, Unlocked) : NotFound();

    [AdminPermission(AdminPermissions.UsersManage)]
    public async Task<IActionResult> OnPostDisableAsync(string id, CancellationToken cancellationToken) =>
        (await accounts.DisableAsync(id, await AdministratorAsync(), cancellationToken)).Outcome switch
        {
            UserAccountOutcome.Done => Back(id, Disabled),
            UserAccountOutcome.Self => Back(id, CannotDisableSelf),
            UserAccountOutcome.LastAdministrator => Back(id, LastAdministrator),
            _ => NotFound(),
        };

    [AdminPermission(AdminPermissions.UsersManage)]
    public async Task<IActionResult> OnPostEnableAsync(string id, CancellationToken cancellationToken) =>
        (await accounts.EnableAsync(id, await AdministratorAsync(), cancellationToken)).Outcome == UserAccountOutcome.Done
            ? Back(id, Enabled)
            : NotFound();

    [AdminPermission(AdminPermissions.UsersManage)]
    public async Task<IActionResult> OnPostPasswordResetAsync(string id, CancellationToken cancellationToken) =>
        (await accounts.SendPasswordResetAsync(id, await AdministratorAsync(), cancellationToken)).Outcome switch
        {
            UserAccountOutcome.Done => Back(id, PasswordResetSent),
            UserAccountOutcome.UnknownUser => NotFound(),
            _ => Back(id, NoEmailAddress),
        };

    /// <summary>The signed-in administrator's id: the console filter has already required a session.</summary>
    private async Task<string> AdministratorAsync() =>
        (await sessions.GetCurrentAsync(HttpContext))?.Subject ?? throw new InvalidOperationException("admin console post without a session");

    private SeeOtherResult Back(string id, string message)
    {
        TempData[MessageKey] = message;
        return new SeeOtherResult("/admin/users/" + Uri.EscapeDataString(id));
    }
}
