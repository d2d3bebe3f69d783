namespace IdentityProvider.Account;

/// <summary>Bound from <c>LostDevice</c>.</summary>
public sealed class LostDeviceOptions
{
    public const string SectionName = "LostDevice";

    /// <summary>How long an emailed lost-device link can be used. Default 30 minutes.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The least time between two links for one account. A request sooner than this after the last
    /// link sends nothing (and says so to nobody), so the form cannot flood a mailbox. Default 1 minute.
    /// </summary>
    public TimeSpan RequestInterval { get; set; } = TimeSpan.FromMinutes(1);
}
