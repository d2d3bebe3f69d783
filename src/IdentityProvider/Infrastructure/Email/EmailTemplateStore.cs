using IdentityProvider.Infrastructure.Auditing;
using IdentityProvider.Persistence;
using IdentityProvider.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Infrastructure.Email;

/// <summary>
/// The text every sender uses: an administrator's override when one is stored, otherwise the
/// built-in default from <see cref="EmailTemplates"/>. Changes are checked against the template's
/// <see cref="EmailTemplateDefinition"/> and audited.
/// </summary>
public sealed class EmailTemplateStore(IdentityProviderDbContext db, IAuditLog audit, TimeProvider time)
{
    /// <summary>The message to send for <paramref name="template"/> (one of <see cref="EmailTemplates"/>), rendered for <paramref name="to"/>.</summary>
    public async Task<EmailMessage> RenderAsync(EmailTemplate template, string to, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken) =>
        (await GetAsync(template, cancellationToken)).Render(to, values);

    public async Task<EmailTemplate> GetAsync(EmailTemplate template, CancellationToken cancellationToken)
    {
        var stored = await db.EmailTemplateOverrides.AsNoTracking().SingleOrDefaultAsync(t => t.Name == template.Name, cancellationToken);
        return stored is null ? template : new EmailTemplate(template.Name, stored.Subject, stored.TextBody, stored.HtmlBody);
    }

    /// <summary>When each overridden template was last changed, and by whom.</summary>
    public async Task<IReadOnlyDictionary<string, EmailTemplateOverride>> ListOverridesAsync(CancellationToken cancellationToken) =>
        await db.EmailTemplateOverrides.AsNoTracking().ToDictionaryAsync(t => t.Name, StringComparer.Ordinal, cancellationToken);

    /// <returns>The problems that kept the template from being saved; empty when it was.</returns>
    /// <exception cref="ArgumentException">there is no template named <c>template.Name</c> (callers look it up first, to answer 404)</exception>
    public async Task<IReadOnlyList<EmailTemplateProblem>> SaveAsync(EmailTemplate template, string actor, CancellationToken cancellationToken)
    {
        var definition = EmailTemplates.Find(template.Name)
            ?? throw new ArgumentException($"There is no email template '{template.Name}'.", nameof(template));

        var problems = definition.Problems(template);
        if (problems.Count > 0)
        {
            return problems;
        }

        var row = await db.EmailTemplateOverrides.SingleOrDefaultAsync(t => t.Name == template.Name, cancellationToken);
        if (row is null)
        {
            row = new EmailTemplateOverride { Name = template.Name, Subject = "", TextBody = "", HtmlBody = "", UpdatedBy = actor };
            db.EmailTemplateOverrides.Add(row);
        }

        row.Subject = template.Subject;
        row.TextBody = template.TextBody;
        row.HtmlBody = template.HtmlBody;
        row.UpdatedAt = time.GetUtcNow();
        row.UpdatedBy = actor;
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(new AuditRecord(AuditActions.EmailTemplateChanged, actor, TargetType: "email_template", TargetId: template.Name), cancellationToken);
        return [];
    }

    /// <returns>False when the template had no override.</returns>
    public async Task<bool> ResetAsync(string name, string actor, CancellationToken cancellationToken)
    {
        var removed = await db.EmailTemplateOverrides.Where(t => t.Name == name).ExecuteDeleteAsync(cancellationToken);
        if (removed == 1)
        {
            await audit.RecordAsync(new AuditRecord(AuditActions.EmailTemplateReset, actor, TargetType: "email_template", TargetId: name), cancellationToken);
        }

        return removed == 1;
    }
}
