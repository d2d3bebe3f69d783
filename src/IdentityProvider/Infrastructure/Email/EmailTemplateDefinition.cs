namespace IdentityProvider.Infrastructure.Email;

/// <summary>One of the provider's messages as an administrator may edit it.</summary>
/// <param name="Default">The built-in text, sent while no override is stored.</param>
/// <param name="Description">What the message is for (English; the console translates it).</param>
/// <param name="Placeholders">Every value the sender fills in; a template may use only these.</param>
/// <param name="Required">Placeholders the text body (and the HTML body) must keep, such as the link or the code.</param>
/// <param name="Samples">Values for a preview.</param>
public sealed record EmailTemplateDefinition(
    EmailTemplate Default,
    string Description,
    IReadOnlyList<string> Placeholders,
    IReadOnlyList<string> Required,
    IReadOnlyDictionary<string, string> Samples)
{
    public string Name => Default.Name;

    /// <summary>The address a preview is addressed to; nothing is sent to it.</summary>
    public const string PreviewRecipient = "recipient@example.com";

    /// <summary>A draft as the recipient would see it, with <see cref="Samples"/>; call only when <see cref="Problems"/> is empty.</summary>
    public EmailMessage Preview(EmailTemplate draft) => draft.Render(PreviewRecipient, Samples);

    /// <summary>Why <paramref name="template"/> cannot be saved for this message, each at the field it concerns; empty when it can.</summary>
    public IReadOnlyList<EmailTemplateProblem> Problems(EmailTemplate template)
    {
        var problems = new List<EmailTemplateProblem>();
        (string Field, string Label, string Text)[] parts =
        [
            (EmailTemplateProblem.SubjectField, "subject", template.Subject),
            (EmailTemplateProblem.TextBodyField, "text body", template.TextBody),
            (EmailTemplateProblem.HtmlBodyField, "HTML body", template.HtmlBody),
        ];
        foreach (var (field, label, text) in parts.Where(p => string.IsNullOrWhiteSpace(p.Text)))
        {
            problems.Add(new(field, $"The {label} must not be empty."));
        }

        // A line break in the subject would be a header break in the sent message.
        if (template.Subject.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            problems.Add(new(EmailTemplateProblem.SubjectField, "The subject must be a single line."));
        }

        if (template.Subject.Length > EmailTemplateLimits.SubjectLength)
        {
            problems.Add(new(EmailTemplateProblem.SubjectField, $"The subject must be at most {EmailTemplateLimits.SubjectLength} characters."));
        }

        foreach (var (field, label, _) in parts.Skip(1).Where(p => p.Text.Length > EmailTemplateLimits.BodyLength))
        {
            problems.Add(new(field, $"The {label} must be at most {EmailTemplateLimits.BodyLength} characters."));
        }

        // Rendering fails on a placeholder the sender has no value for: refuse it here, not at send time.
        // Each unknown one is reported once, at the first part that uses it.
        foreach (var unknown in template.Placeholders.Where(p => !Placeholders.Contains(p)).Order(StringComparer.Ordinal))
        {
            var field = parts.First(p => p.Text.Contains("{" + unknown + "}", StringComparison.Ordinal)).Field;
            problems.Add(new(field, $"{{{unknown}}} is not a placeholder of this message. Available: {string.Join(", ", Placeholders.Select(p => "{" + p + "}"))}."));
        }

        foreach (var required in Required)
        {
            var token = "{" + required + "}";
            foreach (var (field, label, text) in parts.Skip(1).Where(p => !p.Text.Contains(token, StringComparison.Ordinal)))
            {
                problems.Add(new(field, $"{token} must stay in the {label}: without it the message is of no use."));
            }
        }

        return problems;
    }
}

/// <summary>One reason a template cannot be saved, at the field (as the admin API names it) it concerns.</summary>
public sealed record EmailTemplateProblem(string Field, string Message)
{
    public const string SubjectField = "subject";

    public const string TextBodyField = "textBody";

    public const string HtmlBodyField = "htmlBody";
}

/// <summary>Sizes of an administrator's template, shared by the validator and the database columns.</summary>
public static class EmailTemplateLimits
{
    public const int SubjectLength = 200;

    public const int BodyLength = 20000;
}
