using IdentityProvider.Admin.Permissions;
using IdentityProvider.Infrastructure.Email;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin.Api;

/// <summary>
/// The messages the provider sends (<see cref="EmailTemplateStore"/>), as the console's email templates
/// page edits them: same permission, same checks, same audit entries.
/// </summary>
public static class EmailTemplatesApi
{
    private static readonly string[] Members = [EmailTemplateProblem.SubjectField, EmailTemplateProblem.TextBodyField, EmailTemplateProblem.HtmlBodyField];

    /// <param name="Placeholders">Every placeholder the sender fills in; the template may use only these.</param>
    /// <param name="RequiredPlaceholders">Those both bodies must keep (the link, the code).</param>
    /// <param name="Overridden">Whether an administrator's text is stored; false: the built-in default is sent.</param>
    public sealed record EmailTemplateDto(
        string Key, string Description, string Subject, string TextBody, string HtmlBody,
        IReadOnlyList<string> Placeholders, IReadOnlyList<string> RequiredPlaceholders,
        bool Overridden, DateTimeOffset? UpdatedAt, string? UpdatedBy);

    /// <summary>The body of a PUT or a preview: every member is required, so a missing one is refused rather than emptied.</summary>
    public sealed record EmailTemplateUpdate(string? Subject, string? TextBody, string? HtmlBody);

    /// <summary>A draft rendered with the template's sample values, addressed to a placeholder recipient.</summary>
    public sealed record EmailPreviewDto(string To, string Subject, string TextBody, string HtmlBody);

    public static RouteGroupBuilder MapEmailTemplatesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/email-templates", ListAsync)
            .WithName("listEmailTemplates")
            .WithSummary("Every message the provider sends, with the text in use and its placeholders.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapGet("/email-templates/{key}", GetAsync)
            .WithName("getEmailTemplate")
            .WithSummary("One message, with the text in use and its placeholders.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapPut("/email-templates/{key}", PutAsync)
            .WithName("putEmailTemplate")
            .WithSummary("Replaces a message's subject and bodies; nothing is saved when any is refused.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapDelete("/email-templates/{key}", DeleteAsync)
            .WithName("resetEmailTemplate")
            .WithSummary("Goes back to the built-in text (nothing to do when it is in use already).")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        api.MapPost("/email-templates/{key}/preview", Preview)
            .WithName("previewEmailTemplate")
            .WithSummary("Renders a draft with sample values; nothing is saved or sent.")
            .RequirePermission(AdminPermissions.SecurityManageSettings);
        return api;
    }

    public static async Task<Ok<List<EmailTemplateDto>>> ListAsync(EmailTemplateStore store, CancellationToken cancellationToken)
    {
        var overrides = await store.ListOverridesAsync(cancellationToken);
        var list = new List<EmailTemplateDto>();
        foreach (var definition in EmailTemplates.Definitions)
        {
            list.Add(await ToApiAsync(definition, store, overrides, cancellationToken));
        }

        return TypedResults.Ok(list);
    }

    public static async Task<Results<Ok<EmailTemplateDto>, NotFound<ProblemDetails>>> GetAsync(
        string key, EmailTemplateStore store, CancellationToken cancellationToken)
    {
        if (EmailTemplates.Find(key) is not { } definition)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownEmailTemplate(key));
        }

        return TypedResults.Ok(await ToApiAsync(definition, store, await store.ListOverridesAsync(cancellationToken), cancellationToken));
    }

    public static async Task<Results<Ok<EmailTemplateDto>, BadRequest<ProblemDetails>, NotFound<ProblemDetails>>> PutAsync(
        string key, JsonBody<EmailTemplateUpdate> json, HttpContext http, EmailTemplateStore store, CancellationToken cancellationToken)
    {
        if (EmailTemplates.Find(key) is not { } definition)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownEmailTemplate(key));
        }

        var (draft, problem) = Draft(key, json);
        if (problem is not null)
        {
            return TypedResults.BadRequest(problem);
        }

        var problems = await store.SaveAsync(draft!, AdminApiClaims.ActorOf(http.User), cancellationToken);
        return problems.Count > 0
            ? TypedResults.BadRequest(AdminApiProblems.InvalidEmailTemplate(problems))
            : TypedResults.Ok(await ToApiAsync(definition, store, await store.ListOverridesAsync(cancellationToken), cancellationToken));
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> DeleteAsync(
        string key, HttpContext http, EmailTemplateStore store, CancellationToken cancellationToken)
    {
        if (EmailTemplates.Find(key) is null)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownEmailTemplate(key));
        }

        // Like the console's "Reset to default": idempotent, so a template already at its default is no error.
        await store.ResetAsync(key, AdminApiClaims.ActorOf(http.User), cancellationToken);
        return TypedResults.NoContent();
    }

    public static Results<Ok<EmailPreviewDto>, BadRequest<ProblemDetails>, NotFound<ProblemDetails>> Preview(
        string key, JsonBody<EmailTemplateUpdate> json)
    {
        if (EmailTemplates.Find(key) is not { } definition)
        {
            return TypedResults.NotFound(AdminApiProblems.UnknownEmailTemplate(key));
        }

        var (draft, problem) = Draft(key, json);
        if (problem is not null)
        {
            return TypedResults.BadRequest(problem);
        }

        // The same checks as a save: a preview of a draft that could not be saved would show a message never sent.
        var problems = definition.Problems(draft!);
        if (problems.Count > 0)
        {
            return TypedResults.BadRequest(AdminApiProblems.InvalidEmailTemplate(problems));
        }

        var message = definition.Preview(draft!);
        return TypedResults.Ok(new EmailPreviewDto(message.To, message.Subject, message.TextBody, message.HtmlBody ?? ""));
    }

    /// <summary>The body as a template, or why it cannot be one (not JSON, members missing).</summary>
    private static (EmailTemplate? Template, ProblemDetails? Problem) Draft(string key, JsonBody<EmailTemplateUpdate> json)
    {
        if (json.Problem is { } malformed)
        {
            return (null, malformed);
        }

        if (json.Value is not { } body)
        {
            return (null, AdminApiProblems.MissingMembers(Members));
        }

        string?[] values = [body.Subject, body.TextBody, body.HtmlBody];
        var missing = Members.Where((_, i) => values[i] is null).ToList();
        return missing.Count > 0
            ? (null, AdminApiProblems.MissingMembers(missing))
            // Kept as given, apart from the surrounding white space the console trims too.
            : (new EmailTemplate(key, body.Subject!.Trim(), body.TextBody!.Trim(), body.HtmlBody!.Trim()), null);
    }

    private static async Task<EmailTemplateDto> ToApiAsync(
        EmailTemplateDefinition definition, EmailTemplateStore store,
        IReadOnlyDictionary<string, Persistence.Entities.EmailTemplateOverride> overrides, CancellationToken cancellationToken)
    {
        var current = await store.GetAsync(definition.Default, cancellationToken);
        var stored = overrides.GetValueOrDefault(definition.Name);
        return new EmailTemplateDto(definition.Name, definition.Description, current.Subject, current.TextBody, current.HtmlBody,
            definition.Placeholders, definition.Required, stored is not null, stored?.UpdatedAt, stored?.UpdatedBy);
    }
}
