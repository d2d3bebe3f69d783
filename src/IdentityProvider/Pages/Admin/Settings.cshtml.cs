using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Authentication.Lockout;
using IdentityProvider.Policy;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Pages.Admin;

/// <summary>
/// The security settings. Opening the page already needs <c>security.manage_settings</c>: the
/// settings say who may skip a second factor, so even reading them is for those who may change them.
/// The MFA policy is saved through <see cref="MfaSettingsStore"/> (its rules, its audit row); the
/// lockout, TOTP and recovery-code limits, in a form of their own, through <see cref="SecuritySettingsStore"/>.
/// Only the consecutive-failure limit stays per-node configuration, shown read-only.
/// </summary>
[AdminPermission(AdminPermissions.SecurityManageSettings)]
public sealed class SettingsModel(
    MfaSettingsStore store,
    SecuritySettingsStore limitsStore,
    RoleManager<IdentityRole> roles,
    IAuthenticationSessions sessions,
    IOptions<SignInLockoutOptions> lockout) : PageModel
{
    public const string NotWholeNumbers = "Grace and remember-browser values must be whole numbers.";

    public const string NotAWholeNumber = "Enter a whole number.";

    public const string IncompleteForm = "The form arrived incomplete. Reload the page and try again.";

    // The MFA form always posts these (its checkboxes post nothing when cleared, so they cannot be
    // told apart): a post without one is not this form, and binding the missing values to 0 and
    // the cleared checkboxes to false would switch MFA off unasked.
    private static readonly string[] MfaFormFields =
        [nameof(EnforceFor), nameof(GraceSignIns), nameof(GraceDays), nameof(RememberBrowserDays)];

    [BindProperty] public bool MfaEnabled { get; set; }

    [BindProperty] public EnforcementScope EnforceFor { get; set; }

    [BindProperty] public List<string> EnforcedRoles { get; set; } = [];

    [BindProperty] public int GraceSignIns { get; set; }

    [BindProperty] public int GraceDays { get; set; }

    [BindProperty] public int RememberBrowserDays { get; set; }

    [BindProperty] public bool EmailFallback { get; set; }

    [BindProperty] public int MaxFailedPasswords { get; set; }

    [BindProperty] public int MaxFailedCodes { get; set; }

    [BindProperty] public int LockoutDurationMinutes { get; set; }

    [BindProperty] public int TotpWindow { get; set; }

    [BindProperty] public int RecoveryCodeCount { get; set; }

    /// <summary>What the limits form's post refused, by field (the store's field names).</summary>
    public IReadOnlyList<SettingProblem> LimitProblems { get; private set; } = [];

    public bool LimitsSaved { get; private set; }

    /// <summary>The roles to offer: those in the roles table, and any the settings name that it lacks.</summary>
    public IReadOnlyList<string> RoleChoices { get; private set; } = [];

    public IReadOnlyList<string> Problems { get; private set; } = [];

    public bool Saved { get; private set; }

    // Per-node configuration, read-only here: each node reads its own, so the page names the key to set on every node.
    public SignInLockoutOptions Lockout => lockout.Value;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Show(await store.GetAsync(cancellationToken));
        ShowLimits(await limitsStore.GetAsync(cancellationToken));
        await LoadChoicesAsync(cancellationToken);
    }

    /// <summary>The limits form: saved all together or not at all; the MFA settings shown are the saved ones.</summary>
    public async Task OnPostLimitsAsync(CancellationToken cancellationToken)
    {
        // A value that is not a number never reaches the store: nothing is saved.
        List<SettingProblem> notNumbers = [.. LimitFields
            .Where(f => ModelState.TryGetValue(f.Property, out var entry) && entry.ValidationState == ModelValidationState.Invalid)
            .Select(f => new SettingProblem(f.Field, NotAWholeNumber))];
        LimitProblems = notNumbers.Count > 0
            ? notNumbers
            : await limitsStore.SaveAsync(
                new SecurityLimits(MaxFailedPasswords, MaxFailedCodes, TimeSpan.FromMinutes(LockoutDurationMinutes), TotpWindow, RecoveryCodeCount),
                await ActorAsync(), cancellationToken);
        if (LimitProblems.Count == 0)
        {
            LimitsSaved = true;
            ShowLimits(await limitsStore.GetAsync(cancellationToken));
        }

        Show(await store.GetAsync(cancellationToken));
        await LoadChoicesAsync(cancellationToken);
    }

    /// <summary>The problem the limits form's post found with <paramref name="field"/>, if any.</summary>
    public string? LimitProblem(string field) => LimitProblems.FirstOrDefault(p => p.Field == field)?.Message;

    public async Task OnPostAsync(CancellationToken cancellationToken)
    {
        // A value that is not a number never reaches the store: nothing is saved.
        Problems = !MfaFormFields.All(Request.Form.ContainsKey) ? [IncompleteForm]
            : ModelState.IsValid ? await store.SaveAsync(Posted(), await ActorAsync(), cancellationToken)
            : [NotWholeNumbers];
        if (Problems.Count == 0)
        {
            Saved = true;
            Show(await store.GetAsync(cancellationToken));
        }

        ShowLimits(await limitsStore.GetAsync(cancellationToken));
        await LoadChoicesAsync(cancellationToken);
    }

    public bool IsEnforced(string role) => EnforcedRoles.Contains(role, StringComparer.OrdinalIgnoreCase);

    private MfaPolicySettings Posted() => new(
        MfaEnabled,
        EnforceFor,
        [.. EnforcedRoles.Where(r => !string.IsNullOrEmpty(r)).Distinct(StringComparer.OrdinalIgnoreCase)],
        GraceSignIns,
        GraceDays,
        RememberBrowserDays,
        EmailFallback);

    private void Show(MfaPolicySettings settings)
    {
        MfaEnabled = settings.MfaEnabled;
        EnforceFor = settings.EnforceFor;
        EnforcedRoles = [.. settings.EnforcedRoles];
        GraceSignIns = settings.GraceSignIns;
        GraceDays = settings.GraceDays;
        RememberBrowserDays = settings.RememberBrowserDays;
        EmailFallback = settings.EmailFallback;
    }

    /// <summary>The limits form's inputs and the store's field each belongs to.</summary>
    private static readonly (string Property, string Field)[] LimitFields =
    [
        (nameof(MaxFailedPasswords), SecuritySettingsStore.MaxFailedPasswordsField),
        (nameof(MaxFailedCodes), SecuritySettingsStore.MaxFailedCodesField),
        (nameof(LockoutDurationMinutes), SecuritySettingsStore.LockoutDurationField),
        (nameof(TotpWindow), SecuritySettingsStore.TotpWindowField),
        (nameof(RecoveryCodeCount), SecuritySettingsStore.RecoveryCodeCountField),
    ];

    private void ShowLimits(SecurityLimits limits)
    {
        MaxFailedPasswords = limits.MaxFailedPasswords;
        MaxFailedCodes = limits.MaxFailedCodes;
        // A configured duration that is not whole minutes shows rounded up; saving stores whole minutes.
        LockoutDurationMinutes = (int)Math.Ceiling(limits.LockoutDuration.TotalMinutes);
        TotpWindow = limits.TotpWindow;
        RecoveryCodeCount = limits.RecoveryCodeCount;
    }

    private async Task LoadChoicesAsync(CancellationToken cancellationToken)
    {
        var names = await roles.Roles.Select(r => r.Name!).Where(n => n != null).ToListAsync(cancellationToken);
        // Role names compare without case, as the policy compares them.
        RoleChoices = [.. names.Concat(EnforcedRoles).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];
    }

    /// <summary>The audit trail names the signed-in administrator (the filter has already checked the session).</summary>
    private async Task<string> ActorAsync() =>
        (await sessions.GetCurrentAsync(HttpContext))?.Subject ?? throw new InvalidOperationException("console post without a session");
}
