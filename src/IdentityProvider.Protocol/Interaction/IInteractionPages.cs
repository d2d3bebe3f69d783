using IdentityProvider.Protocol.Primitives;
using Microsoft.AspNetCore.Http;

namespace IdentityProvider.Protocol.Interaction;

/// <summary>
/// The few pages protocol endpoints answer with directly. The protocol decides what to show; the
/// host renders it in its own look and the user's language.
/// </summary>
public interface IInteractionPages
{
    /// <summary>A request that cannot be answered to the client (RFC 6749 §4.1.2.1: untrusted client or redirect URI).</summary>
    Task WriteErrorAsync(HttpContext http, ProtocolError error, int statusCode);

    /// <summary>RP-Initiated Logout 1.0 §2: asks the user to confirm; the form posts <paramref name="fields"/> back.</summary>
    Task WriteLogoutConfirmationAsync(HttpContext http, IReadOnlyDictionary<string, string> fields, string? clientName);

    Task WriteSignedOutAsync(HttpContext http);
}
