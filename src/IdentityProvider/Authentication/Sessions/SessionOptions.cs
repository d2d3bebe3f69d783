namespace IdentityProvider.Authentication.Sessions;

/// <summary>Sign-in sessions. Bound from <c>Sessions</c>.</summary>
public sealed class SessionOptions
{
    public const string SectionName = "Sessions";

    public const string Scheme = "idp.session";

    /// <summary>A session unused this long ends; each request within it extends it. Default 8 hours.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(8);
}
