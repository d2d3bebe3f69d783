namespace IdentityProvider.Protocol.Interaction;

/// <summary>Where the hosted pages live and how long a user has to finish them. Bound from <c>Interaction</c>.</summary>
public sealed class InteractionOptions
{
    public const string SectionName = "Interaction";

    /// <summary>The sign-in page; it receives <c>?request=&lt;id&gt;</c>.</summary>
    public string LoginPath { get; set; } = "/account/login";

    /// <summary>The consent page; it receives <c>?request=&lt;id&gt;</c>.</summary>
    public string ConsentPath { get; set; } = "/account/consent";

    /// <summary>How long an authorization request waits for the user. Default 30 minutes.</summary>
    public TimeSpan RequestLifetime { get; set; } = TimeSpan.FromMinutes(30);
}
