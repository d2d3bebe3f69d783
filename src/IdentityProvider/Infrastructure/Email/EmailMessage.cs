namespace IdentityProvider.Infrastructure.Email;

/// <summary>One message to one recipient. The bodies may carry single-use links: they are stored and sent, never logged.</summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string? HtmlBody = null);
