using IdentityProvider.Admin.ConsoleAccess;
using IdentityProvider.Admin.Permissions;
using IdentityProvider.Infrastructure.Email;
using IdentityProvider.Protocol.Interaction;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Templates = IdentityProvider.Infrastructure.Email.EmailTemplates;

namespace IdentityProvider.Pages.Admin.EmailTemplates;

/// <summary>
/// One message: edit its subject and bodies, preview a draft with sample values, save it, or go
/// back to the built-in text. A draft that uses an unknown placeholder, or drops a required one,
/// is refused with the reason.
/// </summary>
[AdminPermission(AdminPermissions.SecurityManageSettings)]
public sealed class EditModel(EmailTemplateStore templates, IAuthenticationSessions sessions) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = "";

    [BindProperty]
    public string Subject { get; set; } = "";

    [BindProperty]
    public string TextBody { get; set; } = "";

    [BindProperty]
    public string HtmlBody { get; set; } = "";

    public EmailTemplateDefinition Definition { get; private set; } = null!;

    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>The draft rendered with the sample values, after a preview.</summary>
    public EmailMessage? Preview { get; private set; }

    public string? Status { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Templates.Find(Name) is not { } definition)
        {
            return NotFound();
        }

        Definition = definition;
        await LoadStoredAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Templates.Find(Name) is not { } definition)
        {
            return NotFound();
        }

        Definition = definition;
        Errors = [.. (await templates.SaveAsync(Draft(), await ActorAsync(), cancellationToken)).Select(p => p.Message)];
        Status = Errors.Count == 0 ? SavedText : null;
        return Page();
    }

    public IActionResult OnPostPreview()
    {
        if (Templates.Find(Name) is not { } definition)
        {
            return NotFound();
        }

        Definition = definition;
        var draft = Draft();
        Errors = [.. definition.Problems(draft).Select(p => p.Message)];
        if (Errors.Count == 0)
        {
            Preview = definition.Preview(draft);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostResetAsync(CancellationToken cancellationToken)
    {
        if (Templates.Find(Name) is not { } definition)
        {
            return NotFound();
        }

        Definition = definition;
        await templates.ResetAsync(Name, await ActorAsync(), cancellationToken);
        await LoadStoredAsync(cancellationToken);
        Status = ResetText;
        return Page();
    }

    public const string SavedText = "The template is saved. The next message uses it.";

    public const string ResetText = "The template is back to its default text.";

    // Browsers post text areas with CRLF line ends; the messages are kept with LF like the defaults.
    private EmailTemplate Draft() => new(Name, (Subject ?? "").Trim(), Normalise(TextBody), Normalise(HtmlBody));

    private static string Normalise(string? text) => (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    private async Task LoadStoredAsync(CancellationToken cancellationToken)
    {
        var current = await templates.GetAsync(Definition.Default, cancellationToken);
        (Subject, TextBody, HtmlBody) = (current.Subject, current.TextBody, current.HtmlBody);
    }

    private async Task<string> ActorAsync() => (await sessions.GetCurrentAsync(HttpContext))!.Subject;
}
