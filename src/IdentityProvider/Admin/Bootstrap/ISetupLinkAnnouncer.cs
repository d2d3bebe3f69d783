namespace IdentityProvider.Admin.Bootstrap;

/// <summary>
/// Shows a fresh setup link to the operator. The link is a credential, so it goes to the
/// console only, never through the logger (log lines are shipped and stored elsewhere).
/// </summary>
public interface ISetupLinkAnnouncer
{
    void Announce(SetupLink link);

    /// <summary>A link issued earlier is still valid; its value cannot be shown again (only its hash is stored).</summary>
    void AnnounceOutstanding(DateTimeOffset expiresAt);
}

internal sealed class ConsoleSetupLinkAnnouncer : ISetupLinkAnnouncer
{
    public void Announce(SetupLink link)
    {
        Console.Out.WriteLine();
        Console.Out.WriteLine("No administrator exists yet. Create the first one with this single-use link");
        Console.Out.WriteLine($"(valid until {Format(link.ExpiresAt)}):");
        Console.Out.WriteLine();
        Console.Out.WriteLine("    " + link.Url);
        Console.Out.WriteLine();
        Console.Out.Flush();
    }

    public void AnnounceOutstanding(DateTimeOffset expiresAt)
    {
        Console.Out.WriteLine();
        Console.Out.WriteLine($"No administrator exists yet. The setup link printed earlier is valid until {Format(expiresAt)}.");
        Console.Out.WriteLine("Run 'IdentityProvider admin create' for a new one.");
        Console.Out.WriteLine();
        Console.Out.Flush();
    }

    private static string Format(DateTimeOffset instant) =>
        instant.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
