namespace IdentityProvider.Persistence.Entities;

/// <summary>
/// An administrator's text for one of the provider's messages, keyed by the template's name
/// (<c>EmailTemplates</c>); without a row the built-in default is sent.
/// </summary>
public sealed class EmailTemplateOverride
{
    public required string Name { get; set; }

    public required string Subject { get; set; }

    public required string TextBody { get; set; }

    public required string HtmlBody { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The administrator (user id) who saved it.</summary>
    public required string UpdatedBy { get; set; }
}
