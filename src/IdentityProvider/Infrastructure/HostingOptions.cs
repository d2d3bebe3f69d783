using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Infrastructure;

/// <summary>Bound from the configuration root.</summary>
public sealed class HostingOptions
{
    /// <summary>
    /// The public base URL of this identity provider (OIDC issuer), e.g. <c>https://id.example.com</c>.
    /// Every URL it hands out is built from this value, never from request headers.
    /// </summary>
    [Required]
    [Url]
    public string Issuer { get; set; } = "http://localhost:5000";

    public Uri IssuerUri => new(Issuer.TrimEnd('/') + "/");
}
