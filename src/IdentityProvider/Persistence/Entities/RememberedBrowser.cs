namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// "Don't ask again on this browser": a mark the user set at a second-factor step, bound to the
/// user and to their security stamp at that moment. The browser keeps the token; only its SHA-256
/// is stored, so a copy of the table cannot be replayed as a cookie.
/// </summary>
public sealed class RememberedBrowser
{
    /// <summary>Random handle the cookie names the mark by; not the token.</summary>
    public required string Id { get; set; }

    public required string UserId { get; set; }

    /// <summary>Hex SHA-256 of the 256-bit token the cookie carries.</summary>
    public required string TokenHash { get; set; }

    /// <summary>
    /// The user's Identity security stamp when the mark was set. Identity changes the stamp on a
    /// password change or reset and this product changes it whenever a factor is added, removed or
    /// re-issued; a mark whose stamp no longer matches is not honoured.
    /// </summary>
    public required string SecurityStamp { get; set; }

    /// <summary>The browser as the user would recognise it in the list (from its User-Agent, truncated).</summary>
    public required string Description { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}
