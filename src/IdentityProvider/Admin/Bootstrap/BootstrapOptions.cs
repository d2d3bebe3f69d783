namespace IdentityProvider.Admin.Bootstrap;

/// <summary>Bound from <c>Bootstrap</c>.</summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Bootstrap";

    /// <summary>How long a first-run setup link stays valid.</summary>
    public TimeSpan SetupLinkLifetime { get; set; } = TimeSpan.FromHours(1);
}
