using IdentityProvider.Federation;
using IdentityProvider.Federation.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Account;

/// <summary>
/// Where a refused upstream sign-in ends. It only shows: the refusal was decided and audited
/// before the browser came here, and nothing was created or changed. The reason in the query
/// picks one of three fixed texts; anything else shows the generic one.
/// </summary>
public sealed class FederationRefusedModel : PageModel
{
    public const string NotConnectedText = "Your account with that provider is not connected to an account here. Sign in with your username and password, or contact your administrator.";
    public const string ExpiredText = "This sign-in has expired or was already used. Please start again.";

    [BindProperty(SupportsGet = true, Name = "request")]
    public string? RequestId { get; set; }

    [BindProperty(SupportsGet = true, Name = "reason")]
    public string? Reason { get; set; }

    public string Text { get; private set; } = LoginModel.GenericError;

    public string LoginPath => RequestId is null ? LoginModel.Path : LoginModel.Path + "?request=" + Uri.EscapeDataString(RequestId);

    public void OnGet()
    {
        Response.Headers.CacheControl = "no-store";
        Text = Enum.TryParse<FederationRefusal>(Reason, ignoreCase: true, out var refusal) ? refusal switch
        {
            FederationRefusal.NotConnected => NotConnectedText,
            FederationRefusal.Expired => ExpiredText,
            _ => LoginModel.GenericError,
        } : LoginModel.GenericError;
    }
}
