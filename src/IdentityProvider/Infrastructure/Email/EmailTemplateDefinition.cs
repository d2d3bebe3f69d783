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

    /// <summary>Why <paramref name="template"/> cannot be saved for this message; empty when it can.</summary>
    public IReadOnlyList<string> Problems(EmailTemplate template)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(template.Subject) || string.IsNullOrWhiteSpace(template.TextBody) || string.IsNullOrWhiteSpace(template.HtmlBody))
        {
            problems.Add("The subject, the text body and the HTML body must not be empty.");
        }

        // A line break in the subject would be a header break in the sent message.
        if (template.Subject.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            problems.Add("The subject must be a single line.");
        }

        if (template.Subject.Length > EmailTemplateLimits.SubjectLength)
        {
            problems.Add($"The subject must be at most {EmailTemplateLimits.SubjectLength} characters.");
        }

        if (template.TextBody.Length > EmailTemplateLimits.BodyLength || template.HtmlBody.Length > EmailTemplateLimits.BodyLength)
        {
            problems.Add($"Each body must be at most {EmailTemplateLimits.BodyLength} characters.");
        }

        // Rendering fails on a placeholder the sender has no value for: refuse it here, not at send time.
        foreach (var unknown in template.Placeholders.Where(p => !Placeholders.Contains(p)).Order(StringComparer.Ordinal))
        {
            problems.Add($"{{{unknown}}} is not a placeholder of this message. Available: {string.Join(", ", Placeholders.Select(p => "{" + p + "}"))}.");
        }

        foreach (var required in Required)
        {
            var token = "{" + required + "}";
            if (!template.TextBody.Contains(token, StringComparison.Ordinal) || !template.HtmlBody.Contains(token, StringComparison.Ordinal))
            {
                problems.Add($"{token} must stay in the text body and in the HTML body: without it the message is of no use.");
            }
        }

        return problems;
    }
}

/// <summary>Sizes of an administrator's template, shared by the validator and the database columns.</summary>
public static class EmailTemplateLimits
{
    public const int SubjectLength = 200;

    public const int BodyLength = 20000;
}
