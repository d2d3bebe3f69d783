using System.Text.RegularExpressions;

namespace IdentityProvider.Infrastructure.Branding;

/// <summary>How the hosted pages present the operator's product. Bound from <c>Branding</c>.</summary>
public sealed partial class BrandingOptions
{
    public const string SectionName = "Branding";

    /// <summary>Shown in page titles and headers. Default "Identity Provider".</summary>
    public string ProductName { get; set; } = "Identity Provider";

    /// <summary>A logo served by this provider (e.g. <c>/brand/logo.svg</c> in wwwroot); none by default.</summary>
    public string? LogoPath { get; set; }

    /// <summary>Buttons, links and focus rings, as <c>#rrggbb</c>. Default a blue with AA contrast on white.</summary>
    public string PrimaryColour { get; set; } = "#1f5fbf";

    /// <summary>Who users should contact when sign-in fails (an email address or a sentence); shown on error pages.</summary>
    public string? SupportContact { get; set; }

    /// <summary>Only a plain hex colour reaches the stylesheet, so configuration cannot inject CSS.</summary>
    public static bool IsValidColour(string colour) => HexColour().IsMatch(colour);

    /// <summary>A logo path must be a local path, so the strict Content-Security-Policy (img-src 'self') holds.</summary>
    public static bool IsValidLogoPath(string? path) => path is null || (path.StartsWith('/') && !path.StartsWith("//", StringComparison.Ordinal));

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex HexColour();
}
