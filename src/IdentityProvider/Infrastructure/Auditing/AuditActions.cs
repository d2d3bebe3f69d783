namespace IdentityProvider.Infrastructure.Auditing;

/// <summary>The vocabulary of the audit trail, so the console can filter on stable names.</summary>
public static class AuditActions
{
    public const string SetupLinkIssued = "bootstrap.setup_link_issued";
    public const string AdministratorCreated = "bootstrap.administrator_created";
    public const string SetupLinkRejected = "bootstrap.setup_link_rejected";
    public const string ClientCreated = "client.created";
    public const string ClientUpdated = "client.updated";
    public const string ClientRemoved = "client.removed";
    public const string ClientSecretRotated = "client.secret_rotated";
    public const string SigningKeyRotated = "signing_key.rotated";
    public const string SigningKeyRevoked = "signing_key.revoked";

    /// <summary>A key the rotation schedule added by itself: the first of an algorithm, or a scheduled successor.</summary>
    public const string SigningKeyAdded = "signing_key.added";
    public const string ConsentRevoked = "consent.revoked";
    public const string SignInSucceeded = "sign_in.succeeded";
    public const string SignInFailed = "sign_in.failed";

    /// <summary>The moment too many wrong attempts lock an account (<c>SignInAttemptGate</c>), not each refusal after it.</summary>
    public const string AccountLocked = "sign_in.account_locked";
    public const string TotpEnabled = "mfa.totp_enabled";
    public const string MfaDisabled = "mfa.disabled";
    public const string RecoveryCodesGenerated = "mfa.recovery_codes_generated";
    public const string RecoveryCodeUsed = "mfa.recovery_code_used";

    /// <summary>A wrong code where My account → Security asked for a current factor before a change.</summary>
    public const string SecondFactorProofFailed = "mfa.proof_failed";
    public const string LostDeviceRequested = "mfa.lost_device_requested";
    public const string LostDeviceRecovered = "mfa.lost_device_recovered";
    public const string EmailCodeSent = "mfa.email_code_sent";
    public const string EmailCodeUsed = "mfa.email_code_used";
    public const string PasskeyAdded = "passkey.added";
    public const string PasskeyRenamed = "passkey.renamed";
    public const string PasskeyRemoved = "passkey.removed";
    public const string PasskeyRegistrationFailed = "passkey.registration_failed";
    public const string PasskeySignInFailed = "passkey.sign_in_failed";
    public const string PasskeyRequested = "passkey.requested";
    public const string PasskeyRequestCancelled = "passkey.request_cancelled";
    public const string MfaPolicyChanged = "policy.settings_changed";
    public const string MfaEnrolmentPostponed = "mfa.enrolment_postponed";
    public const string BrowserRemembered = "mfa.browser_remembered";
    public const string BrowserForgotten = "mfa.browser_forgotten";
    public const string UserMfaRequired = "user.mfa_required_set";
    public const string UserMfaNotRequired = "user.mfa_required_cleared";
    public const string UserUnlocked = "user.unlocked";
    public const string UserCreated = "user.created";
    public const string UserUpdated = "user.updated";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";

    /// <summary>A password-reset or invitation link emailed (by an administrator, or asked for by the user).</summary>
    public const string UserPasswordResetRequested = "user.password_reset_requested";

    /// <summary>A new password set with an emailed link.</summary>
    public const string UserPasswordReset = "user.password_reset";
    public const string OrganisationCreated = "organisation.created";
    public const string OrganisationMfaChanged = "organisation.mfa_changed";
    public const string OrganisationDeleted = "organisation.deleted";
    public const string OrganisationMembershipChanged = "organisation.membership_changed";
    public const string RoleCreated = "role.created";
    public const string RoleDeleted = "role.deleted";
    public const string UserRolesChanged = "user.roles_changed";
    public const string SecuritySettingsChanged = "policy.security_settings_changed";
    public const string EmailTemplateChanged = "email_template.changed";
    public const string EmailTemplateReset = "email_template.reset";
    public const string FederationProviderCreated = "federation.provider_created";
    public const string FederationProviderUpdated = "federation.provider_updated";
    public const string FederationProviderRemoved = "federation.provider_removed";
    public const string FederationSignInFailed = "federation.sign_in_failed";

    /// <summary>A first sign-in through an upstream provider created the local user (just in time).</summary>
    public const string FederationUserProvisioned = "federation.user_provisioned";

    /// <summary>An upstream account was linked to an existing local account after that account's own factors were proven.</summary>
    public const string FederationAccountLinked = "federation.account_linked";

    /// <summary>An upstream sign-in was refused here (no account and no provisioning, an unlinkable email match, a disabled user, a used or expired link).</summary>
    public const string FederationSignInRefused = "federation.sign_in_refused";

    /// <summary>The user declined to link their upstream account on the link page.</summary>
    public const string FederationLinkCancelled = "federation.link_cancelled";
}

/// <summary>Actors that are not users.</summary>
public static class AuditActors
{
    public const string System = "system";
    public const string CommandLine = "cli";
    public const string Anonymous = "anonymous";
    public const string Configuration = "configuration";
}
