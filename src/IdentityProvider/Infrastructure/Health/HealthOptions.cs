namespace IdentityProvider.Infrastructure.Health;

/// <summary>Bound from the <c>Health</c> configuration section.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>
    /// How far this node's clock may be from the database server's before <c>/health/ready</c>
    /// reports the node unready. Tokens (<c>iat</c>, <c>exp</c>), codes and TOTP steps (30 s each,
    /// RFC 6238 §5.2) are all computed from the node's clock, so a node that is off by more than
    /// this would issue tokens other nodes' clocks disagree with and refuse valid TOTP codes.
    /// </summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromSeconds(10);
}
