namespace IdentityProvider.Authentication.RecoveryCodes;

/// <summary>Recovery code settings, bound from the <c>RecoveryCodes</c> configuration section.</summary>
public sealed class RecoveryCodeOptions
{
    public const string SectionName = "RecoveryCodes";

    /// <summary>Codes per generation. Default 10, 1 to 50. Saved security settings (<c>SecuritySettingsReader</c>) take its place.</summary>
    public int Count { get; set; } = 10;
}
